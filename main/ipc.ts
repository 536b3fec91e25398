import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { API_METHODS, type ApiMethod, type DesktopPreferences, type EngineEvent, type UiCommand } from '../app/api/contract.js';
import type { EngineHandle } from '../app/engine/engine-api.js';
import { validatePreferences, validateTerminalOpen } from '../app/transport/validate.js';
import type { TerminalRegistry } from '../app/terminal/terminal-registry.js';
import { createIpcDispatcher, guarded } from './ipc-dispatch.js';
import { openDesktopTerminal } from './terminals.js';

/** Channels main/preload/index.ts repeats (it may not import this file). */
export const EVENT_CHANNEL = 'cove:event';
export const UI_CHANNEL = 'cove:ui';
export const TERMINAL_OPEN_CHANNEL = 'terminals:open';
export const PREFERENCES_GET_CHANNEL = 'ui:get-preferences';
export const PREFERENCES_SET_CHANNEL = 'ui:set-preferences';

export interface EngineIpcOptions {
  engine: Promise<EngineHandle>;
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
  terminals: TerminalRegistry;
  preferences: { get(): DesktopPreferences; set(change: Partial<DesktopPreferences>): DesktopPreferences };
  observe?(method: ApiMethod, params: unknown, result: unknown): void;
}

/**
 * One handler per API method on a channel named after it, plus main's own
 * channels (terminals, preferences); all share the sender check and the
 * validation in ipc-dispatch.ts.
 */
export function registerEngineIpc(options: EngineIpcOptions): () => void {
  const dispatch = createIpcDispatcher<IpcMainInvokeEvent>(options);
  const trusted = options.isTrustedSender;
  for (const method of API_METHODS) {
    ipcMain.handle(method, (event, params: unknown) => dispatch(method, event, params));
  }
  ipcMain.handle(TERMINAL_OPEN_CHANNEL, (event, params: unknown) =>
    guarded(event, trusted, validateTerminalOpen, params, (p) => openDesktopTerminal(options.terminals, event.sender, p)),
  );
  ipcMain.handle(PREFERENCES_GET_CHANNEL, (event) => guarded(event, trusted, () => ({ ok: true, value: null }), null, async () => options.preferences.get()));
  ipcMain.handle(PREFERENCES_SET_CHANNEL, (event, change: unknown) => guarded(event, trusted, validatePreferences, change, async (p) => options.preferences.set(p)));
  return () => {
    for (const channel of [...API_METHODS, TERMINAL_OPEN_CHANNEL, PREFERENCES_GET_CHANNEL, PREFERENCES_SET_CHANNEL]) ipcMain.removeHandler(channel);
  };
}

/** Pushes engine events to the UI; returns the unsubscribe function. */
export function forwardEngineEvents(engine: EngineHandle, target: () => WebContents | null): () => void {
  return engine.subscribe((event: EngineEvent) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
}

export function sendUiCommand(contents: WebContents | null, command: UiCommand): void {
  if (contents && !contents.isDestroyed()) contents.send(UI_CHANNEL, command);
}
