import type { CoveApi } from '../../../app/api/contract';
import { createPreloadTransport } from './preload-transport';
import { engineSocketUrl, takeToken } from './token';
import type { Transport } from './transport';
import { WebSocketTransport } from './websocket-transport';

export type { ConnectionState, Transport } from './transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in web mode. */
    cove?: CoveApi;
  }
}

/** Electron's preload bridge when present, otherwise web mode's WebSocket. */
export function createTransport(win: Window): Transport {
  if (win.cove) return createPreloadTransport(win.cove);
  const token = takeToken(win);
  return new WebSocketTransport({ url: engineSocketUrl(win.location, token), missingToken: token === null });
}
