import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { API_METHODS, type ApiMethod, type DesktopPreferences, type EngineEvent, type UiCommand } from '../app/api/contract.js';
import type { EngineHandle } from '../app/engine/engine-api.js';
import { validatePreferences, validateTerminalOpen } from '../app/transport/validate.js';
import type { TerminalRegistry } from '../app/terminal/terminal-registry.js';
import { isLoopbackHttpUrl } from '../app/api/port-url.js';
import { createIpcDispatcher, guarded } from './ipc-dispatch.js';
import { openDesktopTerminal } from './terminals.js';

/** Channels main/preload/index.ts repeats (it may not import this file). */
export const EVENT_CHANNEL = 'cove:event';
export const UI_CHANNEL = 'cove:ui';
export const TERMINAL_OPEN_CHANNEL = 'terminals:open';
export const PREFERENCES_GET_CHANNEL = 'ui:get-preferences';
export const PREFERENCES_SET_CHANNEL = 'ui:set-preferences';
export const OPEN_EXTERNAL_CHANNEL = 'ui:open-external';

export interface EngineIpcOptions {
  engine: Promise<EngineHandle>;
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
  terminals: TerminalRegistry;
  preferences: { get(): DesktopPreferences; set(change: Partial<DesktopPreferences>): DesktopPreferences };
  /** shell.openExternal; called only with URLs isLoopbackHttpUrl accepted. */
  openExternal(url: string): Promise<void>;
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
  ipcMain.handle(OPEN_EXTERNAL_CHANNEL, (event, url: unknown) => guarded(event, trusted, validateExternalUrl, url, (u) => options.openExternal(u)));
  return () => {
    for (const channel of [...API_METHODS, TERMINAL_OPEN_CHANNEL, PREFERENCES_GET_CHANNEL, PREFERENCES_SET_CHANNEL, OPEN_EXTERNAL_CHANNEL]) ipcMain.removeHandler(channel);
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

/** Only a published port's page on this machine may reach the system browser. */
export function validateExternalUrl(value: unknown): { ok: true; value: string } | { ok: false; message: string } {
  return typeof value === 'string' && isLoopbackHttpUrl(value) ? { ok: true, value } : { ok: false, message: 'only http URLs of this machine (127.0.0.1, localhost) with a port can be opened' };
}
