import type { ServerMessage } from '../api/contract.js';
import type { EngineHandle } from '../engine/engine-api.js';
import { toApiError } from '../engine/errors.js';
import { isApiMethod, validateParams } from './validate.js';

export interface WireConnection {
  /** One request frame (JSON text) from the client. */
  receive(raw: string): void;
  /** The client is gone: every subscription it opened ends. */
  close(): void;
}

/**
 * The wire protocol of every byte-stream transport (web-mode WebSocket,
 * unix socket): request frames in, response frames and the events of this
 * client's own subscriptions out. Validation and error mapping happen here
 * once, so the transports answer identically.
 */
export function openWireConnection(engine: EngineHandle, send: (message: ServerMessage) => void): WireConnection {
  const connection = engine.connect(({ subscription, event }) => send({ kind: 'event', subscription, event }));
  return {
    receive: (raw) => {
      void answer(raw).then((reply) => {
        if (reply) send(reply);
      });
    },
    close: () => connection.close(),
  };

  async function answer(raw: string): Promise<ServerMessage | null> {
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
      const result = await connection.call(method, checked.params);
      return { kind: 'response', id, ok: true, result };
    } catch (err) {
      return { kind: 'response', id, ok: false, error: toApiError(err) };
    }
  }
}
