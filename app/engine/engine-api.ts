// The shape of the engine as transports and clients see it.
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';

/** An event of one subscription, for the connection that opened it. */
export interface Delivery {
  subscription: string;
  event: EngineEvent;
}

/**
 * One client's link to the engine (a WebSocket, a unix-socket connection,
 * an Electron window, the CLI in-process). Subscriptions it opens are its
 * own: their events go to its `deliver` alone, and `close` ends them all.
 */
export interface EngineConnection {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  close(): void;
}

export interface EngineHandle {
  /** A new connection; `deliver` receives the events of the subscriptions it opens. */
  connect(deliver: (delivery: Delivery) => void): EngineConnection;
  /** A call outside any connection (main's tray, prechecks); subscriptions need `connect`. */
  handle<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  close(): Promise<void>;
}
