// An engine with canned answers for transport tests and UI benchmarks: the
// real connection and subscription mechanism (app/engine/subscriptions.ts)
// in front of a function, so only the engine's work is scripted.
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';
import type { Delivery, EngineConnection, EngineHandle } from '../engine/engine-api.js';
import { EventBus } from '../engine/event-bus.js';
import { Connections, type CallContext } from '../engine/subscriptions.js';

export type ScriptedAnswer = (method: ApiMethod, params: unknown, ctx: CallContext) => Promise<unknown>;

export class ScriptedEngine implements EngineHandle {
  private readonly bus = new EventBus();
  private readonly connections: Connections;

  constructor(answer: ScriptedAnswer) {
    this.connections = new Connections(async (method, params, ctx) => {
      if (method !== 'events:subscribe') return answer(method, params, ctx);
      const types = (params as ApiParams<'events:subscribe'>).types;
      let stop = (): void => undefined;
      const sink = ctx.open(() => stop());
      stop = this.bus.listen((event) => {
        if (!types || (types as string[]).includes(event.type)) sink.send(event);
      });
      return { subscription: sink.id };
    });
  }

  /** Sends an event to every `events:subscribe` subscription that wants its type. */
  emit(event: EngineEvent): void {
    this.bus.emit(event);
  }

  get openSubscriptions(): number {
    return this.connections.openCount;
  }

  connect(deliver: (delivery: Delivery) => void): EngineConnection {
    return this.connections.connect(deliver);
  }

  handle<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    return this.connections.handle(method, params);
  }

  async close(): Promise<void> {
    this.connections.closeAll();
    this.bus.clear();
  }
}
