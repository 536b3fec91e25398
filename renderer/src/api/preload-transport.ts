import type { ApiMethod, ApiParams, ApiResult, CoveApi, EngineEvent } from '../../../app/api/contract';
import { toCoveApiError } from './errors';
import type { ConnectionState, Transport } from './transport';

/**
 * Wraps the preload's window.cove. contextBridge copies rejected Errors
 * without their custom properties, so the preload rejects with a plain
 * {code, message} object and this side turns it back into a CoveApiError.
 */
export function createPreloadTransport(bridge: CoveApi): Transport {
  return {
    kind: 'ipc',
    async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
      try {
        return await bridge.call(method, params);
      } catch (reason) {
        throw toCoveApiError(reason);
      }
    },
    onEvent(listener: (event: EngineEvent) => void): () => void {
      return bridge.onEvent(listener);
    },
    onConnection(listener: (state: ConnectionState) => void): () => void {
      // IPC to the main process cannot drop while the page is alive.
      listener('open');
      return () => {};
    },
  };
}
