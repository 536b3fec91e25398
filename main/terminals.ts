// Terminals in Electron: one MessagePort per session (issue 6, "binary
// transport"), carrying the same frames as web mode's /term socket, backed
// by the same TerminalRegistry.
import path from 'node:path';
import { MessageChannelMain, type MessagePortMain, type WebContents } from 'electron';
import { TERMINAL_PORT_MESSAGE, type TerminalOpenParams } from '../app/api/contract.js';
import type { EngineHandle } from '../app/engine/engine-api.js';
import { installPaths } from '../app/engine/install-paths.js';
import { terminalPrecheck } from '../app/terminal/terminal-precheck.js';
import { TerminalRegistry } from '../app/terminal/terminal-registry.js';

/** The channel main posts a session's port on; the preload repeats it. */
export const TERMINAL_PORT_CHANNEL = TERMINAL_PORT_MESSAGE;

export function createDesktopTerminals(engine: Promise<EngineHandle>): TerminalRegistry {
  return new TerminalRegistry({
    // Electron's binary is Node when ELECTRON_RUN_AS_NODE is set; in the
    // packaged app distDir is the unpacked copy beside the asar.
    cli: [process.execPath, path.join(installPaths().distDir, 'cove.cjs')],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    precheck: async (params) => terminalPrecheck(await engine)(params),
  });
}

function portChannel(port: MessagePortMain) {
  return {
    send: (frame: Uint8Array, sent?: () => void) => {
      port.postMessage(frame);
      sent?.();
    },
    // A MessagePort has no send buffer to read; acks alone drive flow control.
    bufferedAmount: () => 0,
    close: () => port.close(),
  };
}

export async function openDesktopTerminal(registry: TerminalRegistry, contents: WebContents, params: TerminalOpenParams): Promise<{ session: string }> {
  const { port1, port2 } = new MessageChannelMain();
  const early: Uint8Array[] = [];
  let deliver: (frame: Uint8Array) => void = (frame) => early.push(frame);
  port1.on('message', (message) => {
    const data: unknown = message.data;
    if (data instanceof Uint8Array) deliver(data);
  });
  port1.start();
  const bridge = await registry.open(params, portChannel(port1));
  const session = bridge?.session ?? `refused-${Date.now()}`;
  // The port goes to the renderer even for a refused session: its first frame says why.
  contents.postMessage(TERMINAL_PORT_CHANNEL, { session }, [port2]);
  if (bridge) {
    deliver = (frame) => bridge.receive(frame);
    for (const frame of early.splice(0)) bridge.receive(frame);
    port1.on('close', () => bridge.close());
  }
  return { session };
}
