import { EVENT_TYPES } from '../../api/contract.js';
import type { EventBus } from '../event-bus.js';
import type { StatsSampler } from '../stats/stats-sampler.js';
import type { DomainHandlers } from './handler-types.js';

/**
 * `events:subscribe`: the engine's events for one connection. Asking for
 * `stats` keeps the sampler running while the subscription lives, so a CLI
 * `cove stats` gets samples from an engine that does not sample on its own.
 */
export function eventHandlers(bus: EventBus, sampler: StatsSampler): DomainHandlers<'events'> {
  return {
    'events:subscribe': async (p, ctx) => {
      const types = new Set(p.types ?? EVENT_TYPES);
      let stop = (): void => undefined;
      const sink = ctx.open(() => stop());
      const unlisten = bus.listen((event) => {
        if ((types as Set<string>).has(event.type)) sink.send(event);
      });
      const sampling = types.has('stats');
      if (sampling) sampler.acquire();
      stop = () => {
        unlisten();
        if (sampling) sampler.release();
      };
      return { subscription: sink.id };
    },
  };
}
