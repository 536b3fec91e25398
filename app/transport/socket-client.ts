import net from 'node:net';
import type { ServerMessage } from '../api/contract.js';
import { createApiClient, type ApiClient } from './api-client.js';

const MAX_LINE = 64 * 1024 * 1024;

/**
 * A client of an engine that already runs (`cove serve`, the desktop app),
 * over its unix socket. Resolves null when nothing answers there, so the
 * caller can open the engine in-process instead.
 */
export async function connectSocket(socketPath: string): Promise<ApiClient | null> {
  const sock = await new Promise<net.Socket | null>((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(null));
  });
  if (!sock) return null;
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let closed = false;
  const fail = (): void => {
    closed = true;
    for (const p of pending.values()) p.reject({ code: 'E_INTERNAL', message: 'the connection to the Cove engine was lost' });
    pending.clear();
  };
  const client = createApiClient({
    call: (method, params) =>
      new Promise((resolve, reject) => {
        if (closed) return reject({ code: 'E_INTERNAL', message: 'the connection to the Cove engine was lost' });
        const id = next++;
        pending.set(id, { resolve, reject });
        sock.write(JSON.stringify({ kind: 'request', id, method, params }) + '\n');
      }),
    close: async () => {
      closed = true;
      await new Promise<void>((resolve) => sock.end(() => resolve()));
      sock.destroy();
    },
  });
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE && !buf.includes('\n')) return sock.destroy();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let msg: ServerMessage;
      try {
        msg = JSON.parse(line) as ServerMessage;
      } catch {
        continue;
      }
      if (msg.kind === 'event') client.deliver({ subscription: msg.subscription, event: msg.event });
      else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.result);
        else p?.reject(msg.error);
      }
    }
  });
  sock.on('close', fail);
  sock.on('error', () => sock.destroy());
  return client;
}
