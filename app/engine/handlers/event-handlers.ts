import { EVENT_TYPES, type EventType } from '../../api/contract.js';
import type { EventBus } from '../event-bus.js';
import type { DomainHandlers } from './handler-types.js';

/**
 * `events:subscribe`: the engine's events for one connection. `acquire`
 * keeps what produces the wanted types running while the subscription
 * lives (the store watcher, the stats sampler) and returns its release.
 */
export function eventHandlers(bus: EventBus, acquire: (types: ReadonlySet<EventType>) => () => void): DomainHandlers<'events'> {
  return {
    'events:subscribe': async (p, ctx) => {
      const types: ReadonlySet<EventType> = new Set(p.types ?? EVENT_TYPES);
      let stop = (): void => undefined;
      const sink = ctx.open(() => stop());
      const unlisten = bus.listen((event) => {
        if ((types as ReadonlySet<string>).has(event.type)) sink.send(event);
      });
      const release = acquire(types);
      stop = () => {
        unlisten();
        release();
      };
      return { subscription: sink.id };
    },
  };
}
