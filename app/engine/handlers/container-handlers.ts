import type { ContainerService } from '../container/container-service.js';
import type { DomainHandlers } from './handler-types.js';

export function containerHandlers(containers: ContainerService): DomainHandlers<'containers'> {
  return {
    'containers:list': (p) => containers.list(p.all),
    'containers:run': async (p) => {
      const rec = await containers.create(p);
      try {
        await containers.start(rec.id);
      } catch (err) {
        if (p.autoRemove) await containers.remove(rec.id, true).catch(() => undefined);
        throw err;
      }
      return containers.summary(rec);
    },
    'containers:create': async (p) => containers.summary(await containers.create(p)),
    'containers:wait': async (p) => ({ exitCode: await containers.wait(p.id) }),
    'containers:start': async (p) => containers.summary(await containers.start(p.id)),
    'containers:stop': async (p) => containers.summary(await containers.stop(p.id, p.timeoutSeconds)),
    'containers:kill': async (p) => containers.summary(await containers.kill(p.id, p.signal)),
    'containers:remove': async (p) => ({ id: await containers.remove(p.id, p.force) }),
    'containers:logs': (p) => containers.logs(p.id, p.tail),
    'containers:inspect': (p) => containers.inspect(p.id),
    'containers:top': (p) => containers.top(p.id),
    'containers:pause': (p) => containers.pause(p.id),
    'containers:unpause': (p) => containers.unpause(p.id),
    'containers:rename': async (p) => containers.summary(await containers.rename(p.id, p.name)),
    'containers:prune': async () => ({ removed: await containers.prune() }),
    'containers:restart': async (p) => containers.summary(await containers.restart(p.id, p.timeoutSeconds)),
  };
}
