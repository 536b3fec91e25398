// Web mode's terminals: one binary WebSocket per session at
// /term?token=…&container=…&mode=exec|attach&cols=…&rows=…, carrying the
// contract's terminal frames (TERMINAL_FRAME) to a TerminalRegistry session.
import type { WebSocket } from 'ws';
import { validateTerminalOpen } from '../transport/validate.js';
import type { TerminalRegistry } from '../terminal/terminal-registry.js';

/** Starts the session for an accepted /term socket; a bad query closes it with 1008 and the reason. */
export function serveTerminalSocket(ws: WebSocket, url: URL, terminals: TerminalRegistry): void {
  const params = validateTerminalOpen({
    container: url.searchParams.get('container') ?? '',
    mode: url.searchParams.get('mode') ?? 'exec',
    cols: Number(url.searchParams.get('cols') ?? 80),
    rows: Number(url.searchParams.get('rows') ?? 24),
  });
  if (!params.ok) {
    ws.close(1008, params.message.slice(0, 120));
    return;
  }
  ws.binaryType = 'nodebuffer';
  const early: Buffer[] = [];
  let onFrame: (frame: Buffer) => void = (frame) => early.push(frame);
  ws.on('message', (data, isBinary) => {
    if (isBinary && Buffer.isBuffer(data)) onFrame(data);
  });
  void terminals
    .open(params.value, {
      send: (frame, sent) => {
        if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true }, () => sent?.());
      },
      bufferedAmount: () => ws.bufferedAmount,
      close: () => ws.close(1000),
    })
    .then(
      (bridge) => {
        if (!bridge) return;
        if (ws.readyState !== ws.OPEN) {
          bridge.close();
          return;
        }
        onFrame = (frame) => bridge.receive(frame);
        for (const frame of early.splice(0)) bridge.receive(frame);
        ws.on('close', () => bridge.close());
      },
      () => ws.close(1011, 'could not start the terminal'),
    );
}
