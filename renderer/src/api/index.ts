import type { CoveDesktopApi } from '../../../app/api/contract';
import { createPreloadTransport } from './preload-transport';
import { terminalSocketUrl, webSocketTerminal } from './terminal-link';
import { engineSocketUrl, takeToken } from './token';
import type { Transport } from './transport';
import { WebSocketTransport } from './websocket-transport';

export type { ConnectionState, Transport } from './transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in web mode. */
    cove?: CoveDesktopApi;
  }
}

/** Electron's preload bridge when present, otherwise web mode's WebSocket. */
export function createTransport(win: Window): Transport {
  if (win.cove) return createPreloadTransport(win.cove);
  const token = takeToken(win);
  const socket = new WebSocketTransport({ url: engineSocketUrl(win.location, token), missingToken: token === null });
  return Object.assign(socket, {
    openTerminal: (params: Parameters<Transport['openTerminal']>[0]) => webSocketTerminal(terminalSocketUrl(win.location, token, params)),
    desktop: null,
  });
}
