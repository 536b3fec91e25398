import type { ContainerService } from '../container/container-service.js';
import { LogFollowers } from '../logs/log-followers.js';
import type { DomainHandlers } from './handler-types.js';

/** `logs:follow`: a subscription whose `logs` events carry new lines; it ends when the container is removed. */
export function logHandlers(containers: ContainerService): DomainHandlers<'logs'> & { close(): void } {
  const followers = new LogFollowers({
    locate: async (query) => {
      const inspect = await containers.inspect(query);
      return { id: inspect.Id, logPath: inspect.LogPath };
    },
  });
  return {
    'logs:follow': async (p, ctx) => {
      const follow = await followers.start(p.id);
      let sink: ReturnType<typeof ctx.open>;
      try {
        sink = ctx.open(() => follow.close());
      } catch (err) {
        follow.close();
        throw err;
      }
      const subscription = sink.id;
      follow.onLines((lines, ended) => {
        sink.send({ type: 'logs', subscription, lines, ...(ended ? { ended } : {}) });
        if (ended) sink.end();
      });
      return { subscription, lines: follow.initial(p.tail) };
    },
    close: () => followers.closeAll(),
  };
}
