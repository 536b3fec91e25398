import type { CoveApi } from '../../../app/api/contract';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

/** CoveApi plus what the store needs to know about the link itself. */
export interface Transport extends CoveApi {
  readonly kind: 'ipc' | 'websocket';
  /** Calls the listener with the current state at once, then on every change. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
