// The client side of the engine's newline-delimited JSON protocol over a
// socket (engine.sock, and a Cove VM's API socket forwarded to this host):
// requests carry an id, responses settle the request with that id, events
// go to `deliver`. One copy for every client that speaks it.
import type net from 'node:net';
import type { ApiError, EngineEvent, ServerMessage } from '../api/contract.js';

const MAX_LINE = 64 * 1024 * 1024;

export interface NdjsonPeer {
  request(method: string, params: unknown): Promise<unknown>;
  /** No new requests from now on (those in flight still get their answers until the socket closes). */
  stop(): void;
}

/** Speaks the protocol on `sock`; when it closes, what is still pending is rejected with `lost`. */
export function ndjsonPeer(sock: net.Socket, deliver: (d: { subscription: string; event: EngineEvent }) => void, lost: ApiError): NdjsonPeer {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 1;
  let closed = false;
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    // A peer that never ends a line is not speaking the protocol.
    if (buf.length > MAX_LINE && !buf.includes('\n')) return sock.destroy();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let msg: ServerMessage;
      try {
        msg = JSON.parse(line) as ServerMessage;
      } catch {
        continue;
      }
      if (msg.kind === 'event') deliver({ subscription: msg.subscription, event: msg.event });
      else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.result);
        else p?.reject(msg.error);
      }
    }
  });
  sock.on('close', () => {
    closed = true;
    for (const p of pending.values()) p.reject(lost);
    pending.clear();
  });
  // 'close' follows; without a listener an error would be thrown.
  sock.on('error', () => sock.destroy());
  return {
    request: (method, params) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(lost);
        const id = next++;
        pending.set(id, { resolve, reject });
        sock.write(`${JSON.stringify({ kind: 'request', id, method, params })}\n`);
      }),
    stop: () => {
      closed = true;
    },
  };
}
