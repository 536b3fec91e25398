// Runs sandboxed with context isolation: it may use only contextBridge and
// ipcRenderer, and it hands the page one narrow object, never ipcRenderer
// itself (Electron security checklist, "Do not expose Electron APIs").
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiError, ApiMethod, ApiParams, ApiResult, CoveApi, EngineEvent } from '../../app/api/contract.js';

// Repeats main/ipc.ts's EVENT_CHANNEL: the preload may import no other module.
const EVENT_CHANNEL = 'cove:event';

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
  'tasks:list': true,
  'tasks:cancel': true,
  'settings:get': true,
  'settings:set': true,
  'volumes:list': true,
  'volumes:create': true,
  'volumes:inspect': true,
  'volumes:remove': true,
  'volumes:prune': true,
  'system:doctor': true,
  'logs:follow': true,
  'logs:unfollow': true,
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

const api: CoveApi = {
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
};

contextBridge.exposeInMainWorld('cove', api);
