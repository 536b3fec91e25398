// The engine as the Docker adapter reaches it: the same validation and
// dispatch as every other transport (an API method name and its params), so
// a docker client can do nothing that the engine API does not allow.
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';
import type { EngineHandle } from '../engine/engine-api.js';
import { EngineError } from '../engine/errors.js';
import { validateParams } from '../transport/validate.js';

type Call = <M extends ApiMethod>(method: M, params: ApiParams<M>) => Promise<ApiResult<M>>;

/** An engine connection of one docker request: subscriptions it opens are its own and end with `close`. */
export interface DockerConnection {
  call: Call;
  close(): void;
}

export interface DockerEngine {
  call: Call;
  /** Every engine event (an `events:subscribe` on a connection of its own) until the returned stop. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** A connection whose subscriptions' events go to `listener` (e.g. `logs:follow`). */
  connect(listener: (event: EngineEvent) => void): DockerConnection;
}

function validated(call: Call): Call {
  return async (method, params) => {
    const checked = validateParams(method, params);
    if (!checked.ok) throw new EngineError('E_INVALID_ARGUMENT', checked.message);
    return call(method, checked.params);
  };
}

export function dockerEngine(engine: EngineHandle): DockerEngine {
  const connect = (listener: (event: EngineEvent) => void): DockerConnection => {
    const connection = engine.connect(({ event }) => listener(event));
    return { call: validated((method, params) => connection.call(method, params)), close: () => connection.close() };
  };
  return {
    call: validated((method, params) => engine.handle(method, params)),
    connect,
    subscribe: (listener) => {
      const connection = connect(listener);
      // The subscription is in place when this call returns (the handler opens it before its first await).
      void connection.call('events:subscribe', {}).catch(() => undefined);
      return () => connection.close();
    },
  };
}
