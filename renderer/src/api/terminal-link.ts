import {
  TERMINAL_PORT_MESSAGE,
  type CoveDesktopApi,
  type TerminalOpenParams,
} from '../../../app/api/contract';
import { toCoveApiError } from './errors';

/** A terminal's byte channel: a WebSocket in web mode, a MessagePort in Electron. */
export interface TerminalLink {
  send(frame: Uint8Array): void;
  onFrame(listener: (frame: Uint8Array) => void): void;
  /** Called once, when the channel is gone for good (with a reason if it failed to open). */
  onClose(listener: (reason: string | null) => void): void;
  close(): void;
}

export type OpenTerminal = (params: TerminalOpenParams) => TerminalLink;

export function terminalSocketUrl(location: Location, token: string | null, params: TerminalOpenParams): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams({
    token: token ?? '',
    container: params.container,
    mode: params.mode,
    cols: String(params.cols),
    rows: String(params.rows),
  });
  return `${scheme}//${location.host}/term?${query.toString()}`;
}

/** Web mode: one binary WebSocket per session. */
export function webSocketTerminal(url: string): TerminalLink {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const outbox: Uint8Array[] = [];
  let frameListener: (frame: Uint8Array) => void = () => {};
  let closeListener: (reason: string | null) => void = () => {};
  let opened = false;
  socket.onopen = () => {
    opened = true;
    for (const f of outbox.splice(0)) socket.send(f);
  };
  socket.onmessage = (m: MessageEvent) => {
    if (m.data instanceof ArrayBuffer) frameListener(new Uint8Array(m.data));
  };
  socket.onclose = (e: CloseEvent) => closeListener(opened ? e.reason || null : 'The engine refused the terminal connection.');
  return {
    send: (frame) => (socket.readyState === WebSocket.OPEN ? socket.send(frame) : outbox.push(frame)),
    onFrame: (l) => (frameListener = l),
    onClose: (l) => (closeListener = l),
    close: () => socket.close(1000),
  };
}

/** Electron: main opens the session and posts its MessagePort to this window. */
export function portTerminal(bridge: CoveDesktopApi, params: TerminalOpenParams): TerminalLink {
  let port: MessagePort | null = null;
  const outbox: Uint8Array[] = [];
  let frameListener: (frame: Uint8Array) => void = () => {};
  let closeListener: (reason: string | null) => void = () => {};
  let closed = false;
  const finish = (reason: string | null): void => {
    if (closed) return;
    closed = true;
    closeListener(reason);
  };
  bridge.openTerminal(params).then(
    ({ session }) => {
      const onWindowMessage = (event: MessageEvent): void => {
        const data: unknown = event.data;
        if (event.source !== window || typeof data !== 'object' || data === null) return;
        const { type, session: got } = data as { type?: unknown; session?: unknown };
        if (type !== TERMINAL_PORT_MESSAGE || got !== session || !event.ports[0]) return;
        window.removeEventListener('message', onWindowMessage);
        port = event.ports[0];
        port.onmessage = (m: MessageEvent) => {
          if (m.data instanceof Uint8Array) frameListener(m.data);
        };
        // MessagePort has a close event in recent Chromium; the exit frame covers older ones.
        port.addEventListener('close', () => finish(null));
        port.start();
        for (const f of outbox.splice(0)) port.postMessage(f);
      };
      window.addEventListener('message', onWindowMessage);
    },
    (reason: unknown) => finish(`${toCoveApiError(reason).code}: ${toCoveApiError(reason).message}`),
  );
  return {
    send: (frame) => (port ? port.postMessage(frame) : outbox.push(frame)),
    onFrame: (l) => (frameListener = l),
    onClose: (l) => (closeListener = l),
    close: () => {
      port?.close();
      finish(null);
    },
  };
}
