// A WebSocket client of the engine API for tests: the same wire protocol
// the renderer speaks in web mode.
import WebSocket from 'ws';
import type { ApiMethod, ApiParams, ApiResult, EngineEvent, ServerMessage } from '../api/contract.js';

export interface TestApiClient {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  events: EngineEvent[];
  close(): void;
}

/** Connects to `cove serve`'s URL (as printed), sending the Origin a browser on that page would. */
export async function connectApi(url: string, origin = new URL(url).origin): Promise<TestApiClient> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token') ?? ''}`, { headers: { Origin: origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const events: EngineEvent[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as ServerMessage;
    if (msg.kind === 'event') events.push(msg.event);
    else {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.result);
      else p?.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
    }
  });
  return {
    events,
    call: (method, params) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ kind: 'request', id, method, params }));
      }),
    close: () => ws.close(),
  };
}
