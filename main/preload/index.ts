// Runs sandboxed with context isolation: it may use only contextBridge and
// ipcRenderer, and it hands the page one narrow object, never ipcRenderer
// itself (Electron security checklist, "Do not expose Electron APIs").
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiError, ApiMethod, ApiParams, ApiResult, CoveDesktopApi, DesktopPreferences, EngineEvent, TerminalOpenParams, UiCommand } from '../../app/api/contract.js';

// Repeats main/ipc.ts's EVENT_CHANNEL: the preload may import no other module.
const EVENT_CHANNEL = 'cove:event';
const UI_CHANNEL = 'cove:ui';
const TERMINAL_OPEN_CHANNEL = 'terminals:open';
const TERMINAL_PORT_CHANNEL = 'cove:terminal-port';
const PREFERENCES_GET_CHANNEL = 'ui:get-preferences';
const PREFERENCES_SET_CHANNEL = 'ui:set-preferences';
const OPEN_EXTERNAL_CHANNEL = 'ui:open-external';

// A Record forces this list to follow the contract: a new ApiMethod fails
// typecheck here until it is added, and nothing else can be invoked.
const METHODS: Record<ApiMethod, true> = {
  'containers:list': true,
  'containers:run': true,
  'containers:start': true,
  'containers:stop': true,
  'containers:kill': true,
  'containers:remove': true,
  'containers:logs': true,
  'containers:inspect': true,
  'containers:restart': true,
  'images:list': true,
  'images:remove': true,
  'images:pull': true,
  'images:inspect': true,
  'images:history': true,
  'images:tag': true,
  'images:prune': true,
  'images:push': true,
  'tasks:list': true,
  'tasks:cancel': true,
  'settings:get': true,
  'settings:set': true,
  'volumes:list': true,
  'stats:history': true,
  'stats:current': true,
  'containers:top': true,
  'containers:pause': true,
  'containers:unpause': true,
  'containers:rename': true,
  'containers:prune': true,
  'volumes:create': true,
  'volumes:inspect': true,
  'volumes:remove': true,
  'volumes:prune': true,
  'system:doctor': true,
  'logs:follow': true,
  'logs:unfollow': true,
  'containers:create': true,
  'containers:wait': true,
};

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
    if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(METHODS, method)) {
      return failure({ code: 'E_INVALID_ARGUMENT', message: `unknown API method ${String(method)}` });
    }
    const reply: unknown = await ipcRenderer.invoke(method, params);
    if (isRecord(reply) && reply.ok === true) return reply.result as ApiResult<M>;
    if (isRecord(reply) && reply.ok === false && isApiError(reply.error)) return failure(reply.error);
    return failure({ code: 'E_INTERNAL', message: 'Malformed reply from the Cove main process.' });
  },
  onEvent(listener: (event: EngineEvent) => void): () => void {
    // The IpcRendererEvent stays here: it carries `sender`, which the page must not get.
    const handler = (_event: IpcRendererEvent, payload: EngineEvent): void => listener(payload);
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
