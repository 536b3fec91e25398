import type { ServerMessage } from '../api/contract.js';
import type { EngineHandle } from '../engine/engine-api.js';
import { toApiError } from '../engine/errors.js';
import { isApiMethod, validateParams } from './validate.js';

/**
 * One request frame in, one response frame out: shared by every transport
 * that carries the wire protocol (web-mode WebSocket, unix socket), so they
 * validate and answer identically.
 */
export async function dispatchFrame(engine: EngineHandle, raw: string): Promise<ServerMessage | null> {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const { kind, id, method, params } = msg as Record<string, unknown>;
  if (kind !== 'request' || typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
  if (!isApiMethod(method)) {
    return { kind: 'response', id, ok: false, error: { code: 'E_INVALID_ARGUMENT', message: `unknown method ${JSON.stringify(method)}` } };
  }
  const checked = validateParams(method, params);
  if (!checked.ok) return { kind: 'response', id, ok: false, error: { code: 'E_INVALID_ARGUMENT', message: checked.message } };
  try {
    const result = await engine.handle(method, checked.params);
    return { kind: 'response', id, ok: true, result };
  } catch (err) {
    return { kind: 'response', id, ok: false, error: toApiError(err) };
  }
}
