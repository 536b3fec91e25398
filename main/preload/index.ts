// Runs sandboxed with context isolation: it may use only contextBridge and
// ipcRenderer, and it hands the page one narrow object, never ipcRenderer
// itself (Electron security checklist, "Do not expose Electron APIs").
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isApiMethod, type ApiError, type ApiMethod, type ApiParams, type ApiResult, type CoveDesktopApi, type DesktopPreferences, type EngineEvent, type TerminalOpenParams, type UiCommand } from '../../app/api/contract.js';

// Repeat main/ipc.ts's channels: a sandboxed preload is one bundle of electron and the contract only.
const EVENT_CHANNEL = 'cove:event';
const UI_CHANNEL = 'cove:ui';
const TERMINAL_OPEN_CHANNEL = 'terminals:open';
const TERMINAL_PORT_CHANNEL = 'cove:terminal-port';
const PREFERENCES_GET_CHANNEL = 'ui:get-preferences';
const PREFERENCES_SET_CHANNEL = 'ui:set-preferences';
const OPEN_EXTERNAL_CHANNEL = 'ui:open-external';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isApiError(value: unknown): value is ApiError {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/**
 * Rejections are plain {code, message} objects on purpose: contextBridge
 * copies an Error without its custom properties, which would drop the code.
 * The renderer turns them back into CoveApiError.
 */
function failure(error: ApiError): Promise<never> {
  const plain: ApiError = { code: error.code, message: error.message };
  return Promise.reject(plain);
}

async function invoke<T>(channel: string, params: unknown): Promise<T> {
  const reply: unknown = await ipcRenderer.invoke(channel, params);
  if (isRecord(reply) && reply.ok === true) return reply.result as T;
  if (isRecord(reply) && reply.ok === false && isApiError(reply.error)) return failure(reply.error);
  return failure({ code: 'E_INTERNAL', message: 'Malformed reply from the Cove main process.' });
}

// The node tsconfig has no DOM types; this is the one window API used here.
const page = globalThis as unknown as { postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void };

// A MessagePort cannot cross contextBridge; Electron's documented way is to
// re-post it to the page's own window, where the renderer picks it up by
// session (docs "MessagePorts in Electron", context isolation).
ipcRenderer.on(TERMINAL_PORT_CHANNEL, (event: IpcRendererEvent, info: unknown) => {
  const session = isRecord(info) && typeof info.session === 'string' ? info.session : null;
  // '*' is safe: the message goes to this very window, whose file:// origin is "null".
  if (session && event.ports.length === 1) page.postMessage({ type: TERMINAL_PORT_CHANNEL, session }, '*', event.ports);
});

const api: CoveDesktopApi = {
  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    // The allowlist is the contract's method table: nothing else can be invoked.
    if (!isApiMethod(method)) {
      return failure({ code: 'E_INVALID_ARGUMENT', message: `unknown API method ${String(method)}` });
    }
    const reply: unknown = await ipcRenderer.invoke(method, params);
    if (isRecord(reply) && reply.ok === true) return reply.result as ApiResult<M>;
    if (isRecord(reply) && reply.ok === false && isApiError(reply.error)) return failure(reply.error);
    return failure({ code: 'E_INTERNAL', message: 'Malformed reply from the Cove main process.' });
  },
  onEvent(listener: (event: EngineEvent, subscription: string) => void): () => void {
    // The IpcRendererEvent stays here: it carries `sender`, which the page must not get.
    const handler = (_event: IpcRendererEvent, delivery: unknown): void => {
      if (isRecord(delivery) && typeof delivery.subscription === 'string' && isRecord(delivery.event)) listener(delivery.event as EngineEvent, delivery.subscription);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
  openTerminal: (params: TerminalOpenParams) => invoke<{ session: string }>(TERMINAL_OPEN_CHANNEL, params),
  getPreferences: () => invoke<DesktopPreferences>(PREFERENCES_GET_CHANNEL, null),
  setPreferences: (change: Partial<DesktopPreferences>) => invoke<DesktopPreferences>(PREFERENCES_SET_CHANNEL, change),
  openExternal: (url: string) => invoke<void>(OPEN_EXTERNAL_CHANNEL, url),
  onUiCommand(listener: (command: UiCommand) => void): () => void {
    const handler = (_event: IpcRendererEvent, command: UiCommand): void => listener(command);
    ipcRenderer.on(UI_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(UI_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('cove', api);
