// The engine as the Docker adapter reaches it: the same validation and
// dispatch as every other transport (an API method name and its params), so
// a docker client can do nothing that the engine API does not allow.
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';
import type { EngineHandle } from '../engine/engine-api.js';
import { EngineError } from '../engine/errors.js';
import { validateParams } from '../transport/validate.js';

export interface DockerEngine {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

export function dockerEngine(engine: EngineHandle): DockerEngine {
  return {
    call: async (method, params) => {
      const checked = validateParams(method, params);
      if (!checked.ok) throw new EngineError('E_INVALID_ARGUMENT', checked.message);
      return engine.handle(method, checked.params);
    },
    subscribe: (listener) => engine.subscribe(listener),
  };
}
