import type { ApiMethod, ApiParams, ApiResult, CoveDesktopApi, EngineEvent } from '../../../app/api/contract';
import { toCoveApiError } from './errors';
import { portTerminal } from './terminal-link';
import type { ConnectionState, Transport } from './transport';

/**
 * Wraps the preload's window.cove. contextBridge copies rejected Errors
 * without their custom properties, so the preload rejects with a plain
 * {code, message} object and this side turns it back into a CoveApiError.
 */
export function createPreloadTransport(bridge: CoveDesktopApi): Transport {
  // Events flow only on subscriptions: this window's one for engine events
  // (main ends it when the page reloads; the new page opens its own).
  void bridge.call('events:subscribe', {}).catch(() => undefined);
  const wrap = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((reason: unknown) => {
      throw toCoveApiError(reason);
    });
  return {
    kind: 'ipc',
    call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
      return wrap(bridge.call(method, params));
    },
    onEvent(listener: (event: EngineEvent, subscription: string) => void): () => void {
      return bridge.onEvent(listener);
    },
    onConnection(listener: (state: ConnectionState) => void): () => void {
      // IPC to the main process cannot drop while the page is alive.
      listener('open');
      return () => {};
    },
    openTerminal: (params) => portTerminal(bridge, params),
    desktop: {
      getPreferences: () => wrap(bridge.getPreferences()),
      setPreferences: (change) => wrap(bridge.setPreferences(change)),
      onUiCommand: (listener) => bridge.onUiCommand(listener),
      openExternal: (url) => wrap(bridge.openExternal(url)),
    },
  };
}
