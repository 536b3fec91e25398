import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { API_METHODS, type ApiError, type ApiMethod, type EngineEvent } from '../app/api/contract.js';
import type { EngineHandle } from '../app/engine/engine-api.js';
import { validateParams } from '../app/transport/validate.js';
import { toApiError } from './api-error.js';

/** Channel for engine events; main/preload/index.ts repeats it (it may not import this file). */
export const EVENT_CHANNEL = 'cove:event';

export type IpcReply = { ok: true; result: unknown } | { ok: false; error: ApiError };

export interface EngineIpcOptions {
  engine: Promise<EngineHandle>;
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
}

/**
 * One handler per API method, on a channel named after it (`containers:list`
 * ...). Replies are envelopes, never throws: Electron turns a thrown error
 * into a string that loses the engine's code.
 */
export function registerEngineIpc({ engine, isTrustedSender }: EngineIpcOptions): () => void {
  const dispatch = async (method: ApiMethod, event: IpcMainInvokeEvent, params: unknown): Promise<IpcReply> => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'E_UNAUTHORIZED', message: 'IPC from a frame that is not the Cove UI.' } };
    }
    const checked = validateParams(method, params);
    if (!checked.ok) return { ok: false, error: { code: 'E_INVALID_ARGUMENT', message: checked.message } };
    try {
      const handle = await engine;
      return { ok: true, result: await handle.handle(method, checked.params) };
    } catch (reason) {
      return { ok: false, error: toApiError(reason) };
    }
  };

  for (const method of API_METHODS) {
    ipcMain.handle(method, (event, params: unknown) => dispatch(method, event, params));
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(method);
  };
}

/** Pushes engine events to the UI; returns the unsubscribe function. */
export function forwardEngineEvents(engine: EngineHandle, target: () => WebContents | null): () => void {
  return engine.subscribe((event: EngineEvent) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
}
