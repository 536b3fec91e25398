import type { ContainerService } from '../container/container-service.js';
import type { StatsSampler } from '../stats/stats-sampler.js';
import type { DomainHandlers } from './handler-types.js';

export function statsHandlers(sampler: StatsSampler, containers: ContainerService): DomainHandlers<'stats'> {
  return {
    'stats:history': async (p) => sampler.history((await containers.resolve(p.id)).id, p.seconds),
    'stats:current': async () => sampler.current(),
  };
}
