// A WebSocket client of the engine API for tests: the same wire protocol
// the renderer speaks in web mode, on the shared client of app/transport.
import WebSocket from 'ws';
import type { EngineEvent, ServerMessage } from '../api/contract.js';
import { createApiClient, type ApiClient } from '../transport/api-client.js';

export interface TestApiClient extends ApiClient {
  /** Every event this connection received (of its own subscriptions). */
  events: EngineEvent[];
  /** Resolves once the socket has closed. */
  closed: Promise<void>;
}

/**
 * Connects to `cove serve`'s URL (as printed), sending the Origin a browser
 * on that page would. Like the renderer, it subscribes to every engine event
 * unless `subscribe` is false.
 */
export async function connectApi(url: string, options: { origin?: string; subscribe?: boolean } = {}): Promise<TestApiClient> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token') ?? ''}`, { headers: { Origin: options.origin ?? u.origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const events: EngineEvent[] = [];
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const client = createApiClient({
    call: (method, params) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ kind: 'request', id, method, params }));
      }),
    close: async () => {
      ws.close();
      await closed;
    },
  });
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as ServerMessage;
    if (msg.kind === 'event') {
      events.push(msg.event);
      client.deliver({ subscription: msg.subscription, event: msg.event });
    } else {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.result);
      else p?.reject(msg.error);
    }
  });
  if (options.subscribe !== false) await client.call('events:subscribe', {});
  return Object.assign(client, { events, closed });
}
