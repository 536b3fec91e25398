// The shape of the engine facade as the transports see it.
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';

export interface EngineHandle {
  /** Answers one API request; rejects with an EngineError. */
  handle<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
  close(): Promise<void>;
}
