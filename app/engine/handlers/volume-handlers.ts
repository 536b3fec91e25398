import type { VolumeService } from '../volume/volume-service.js';
import type { DomainHandlers } from './handler-types.js';

export function volumeHandlers(volumes: VolumeService): DomainHandlers<'volumes'> {
  return {
    'volumes:list': () => volumes.list(),
    'volumes:create': async (p) => {
      const v = await volumes.create(p.name ?? null, { labels: p.labels ?? {} });
      return volumes.inspect(v.name);
    },
    'volumes:inspect': (p) => volumes.inspect(p.name),
    'volumes:remove': async (p) => {
      await volumes.remove(p.name, p.force);
      return { name: p.name };
    },
    'volumes:prune': async () => ({ removed: await volumes.prune() }),
  };
}
