// The logic behind every ipcMain handler, free of Electron so it is unit
// tested: sender check first, then validation, then the engine, and always
// an envelope back (Electron turns a thrown error into a string that loses
// the engine's code).
import type { ApiError, ApiMethod } from '../app/api/contract.js';
import type { EngineConnection } from '../app/engine/engine-api.js';
import { toApiError } from '../app/engine/errors.js';
import { isApiMethod, validateParams } from '../app/transport/validate.js';

export type IpcReply<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiError };

export const UNTRUSTED: IpcReply<never> = { ok: false, error: { code: 'E_UNAUTHORIZED', message: 'IPC from a frame that is not the Cove UI.' } };

export interface IpcDispatcherOptions<E> {
  /** The engine connection of the window that sent `event` (its subscriptions are its own). */
  connectionFor(event: E): Promise<EngineConnection>;
  isTrustedSender(event: E): boolean;
  /** Sees every successful call, e.g. to remember the last `containers:run` for the tray. */
  observe?(method: ApiMethod, params: unknown, result: unknown): void;
}

export function createIpcDispatcher<E>(options: IpcDispatcherOptions<E>): (method: string, event: E, params: unknown) => Promise<IpcReply> {
  return async (method, event, params) => {
    if (!options.isTrustedSender(event)) return UNTRUSTED;
    if (!isApiMethod(method)) return { ok: false, error: { code: 'E_INVALID_ARGUMENT', message: `unknown API method ${method}` } };
    const checked = validateParams(method, params);
    if (!checked.ok) return { ok: false, error: { code: 'E_INVALID_ARGUMENT', message: checked.message } };
    try {
      const connection = await options.connectionFor(event);
      const result: unknown = await connection.call(method, checked.params);
      options.observe?.(method, checked.params, result);
      return { ok: true, result };
    } catch (reason) {
      return { ok: false, error: toApiError(reason) };
    }
  };
}

/** The same envelope for main's own channels (terminals, preferences) with their own validator. */
export async function guarded<E, T, R>(
  event: E,
  isTrusted: (event: E) => boolean,
  validate: (value: unknown) => { ok: true; value: T } | { ok: false; message: string },
  raw: unknown,
  work: (value: T) => Promise<R>,
): Promise<IpcReply<R>> {
  if (!isTrusted(event)) return UNTRUSTED;
  const checked = validate(raw);
  if (!checked.ok) return { ok: false, error: { code: 'E_INVALID_ARGUMENT', message: checked.message } };
  try {
    return { ok: true, result: await work(checked.value) };
  } catch (reason) {
    return { ok: false, error: toApiError(reason) };
  }
}
