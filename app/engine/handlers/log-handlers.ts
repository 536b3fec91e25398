import type { EngineEvent } from '../../api/contract.js';
import type { ContainerService } from '../container/container-service.js';
import { LogFollowers } from '../logs/log-followers.js';
import type { DomainHandlers } from './handler-types.js';

/** `logs:follow` / `logs:unfollow`; new lines go out as `logs` events. */
export function logHandlers(containers: ContainerService, emit: (event: EngineEvent) => void): DomainHandlers<'logs'> {
  const followers = new LogFollowers({
    locate: async (query) => {
      const inspect = await containers.inspect(query);
      return { id: inspect.Id, logPath: inspect.LogPath };
    },
    emit: (subscription, lines, ended) => emit({ type: 'logs', subscription, lines, ...(ended ? { ended } : {}) }),
  });
  return {
    'logs:follow': (p) => followers.follow(p.id, p.tail),
    'logs:unfollow': async (p) => followers.unfollow(p.subscription),
  };
}
