import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { API_METHODS, type ApiMethod, type DesktopPreferences, type UiCommand } from '../app/api/contract.js';
import type { Delivery, EngineConnection, EngineHandle } from '../app/engine/engine-api.js';
import { validatePreferences, validateTerminalOpen } from '../app/transport/validate.js';
import type { TerminalRegistry } from '../app/terminal/terminal-registry.js';
import { isLoopbackHttpUrl } from '../app/api/port-url.js';
import { createIpcDispatcher, guarded } from './ipc-dispatch.js';
import { openDesktopTerminal } from './terminals.js';

/** Channels main/preload/index.ts repeats (a sandboxed preload bundles only electron and the contract). */
export const EVENT_CHANNEL = 'cove:event';
export const UI_CHANNEL = 'cove:ui';
export const TERMINAL_OPEN_CHANNEL = 'terminals:open';
export const PREFERENCES_GET_CHANNEL = 'ui:get-preferences';
export const PREFERENCES_SET_CHANNEL = 'ui:set-preferences';
export const OPEN_EXTERNAL_CHANNEL = 'ui:open-external';

export interface EngineIpcOptions {
  /** Electron's ipcMain (passed in so the registration runs against an in-memory pair in tests). */
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  engine: Promise<EngineHandle>;
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
  terminals: TerminalRegistry;
  preferences: { get(): DesktopPreferences; set(change: Partial<DesktopPreferences>): DesktopPreferences };
  /** shell.openExternal; called only with URLs isLoopbackHttpUrl accepted. */
  openExternal(url: string): Promise<void>;
  observe?(method: ApiMethod, params: unknown, result: unknown): void;
}

/** The parts of a WebContents a window's engine connection needs. */
type Sender = Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'once' | 'on' | 'removeListener'>;

/**
 * One handler per method of the API table, on a channel named after it,
 * plus main's own channels (terminals, preferences); all share the sender
 * check and the validation in ipc-dispatch.ts. Each window (webContents) is
 * one engine connection: the events of its subscriptions go to it alone on
 * EVENT_CHANNEL, and they end when it navigates away or is destroyed.
 */
export function registerEngineIpc(options: EngineIpcOptions): () => void {
  const connections = new Map<number, Promise<EngineConnection>>();
  const connectionFor = (event: IpcMainInvokeEvent): Promise<EngineConnection> => {
    const sender = event.sender as Sender;
    const existing = connections.get(sender.id);
    if (existing) return existing;
    const opened: Promise<EngineConnection> = openWindowConnection(options.engine, sender, () => {
      if (connections.get(sender.id) === opened) connections.delete(sender.id);
    });
    connections.set(sender.id, opened);
    return opened;
  };
  const dispatch = createIpcDispatcher<IpcMainInvokeEvent>({ ...options, connectionFor });
  const trusted = options.isTrustedSender;
  const { ipcMain } = options;
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
    for (const connection of connections.values()) void connection.then((c) => c.close());
    connections.clear();
  };
}

async function openWindowConnection(engine: Promise<EngineHandle>, sender: Sender, forget: () => void): Promise<EngineConnection> {
  const connection = (await engine).connect((delivery: Delivery) => {
    if (!sender.isDestroyed()) sender.send(EVENT_CHANNEL, delivery);
  });
  // A reload or navigation starts a new page that knows none of the old
  // page's subscriptions: end them before it runs.
  const onNavigate = (details: { isMainFrame?: boolean; isSameDocument?: boolean } | undefined, _url?: string, inPlace?: boolean, mainFrame?: boolean): void => {
    const isMainFrame = details?.isMainFrame ?? mainFrame ?? true;
    const sameDocument = details?.isSameDocument ?? inPlace ?? false;
    if (isMainFrame && !sameDocument) end();
  };
  const end = (): void => {
    sender.removeListener('did-start-navigation', onNavigate as never);
    sender.removeListener('destroyed', end);
    forget();
    connection.close();
  };
  sender.on('did-start-navigation', onNavigate as never);
  sender.on('destroyed', end);
  return connection;
}

export function sendUiCommand(contents: WebContents | null, command: UiCommand): void {
  if (contents && !contents.isDestroyed()) contents.send(UI_CHANNEL, command);
}

/** Only a published port's page on this machine may reach the system browser. */
export function validateExternalUrl(value: unknown): { ok: true; value: string } | { ok: false; message: string } {
  return typeof value === 'string' && isLoopbackHttpUrl(value) ? { ok: true, value } : { ok: false, message: 'only http URLs of this machine (127.0.0.1, localhost) with a port can be opened' };
}
