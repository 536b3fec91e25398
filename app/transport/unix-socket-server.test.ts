import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';
import type { EngineHandle } from '../engine/engine-api.js';
import { EngineError } from '../engine/errors.js';
import { startUnixSocketServer } from './unix-socket-server.js';

/** A stand-in engine: the transport is under test here, not the engine. */
function fakeEngine(): EngineHandle & { fire(e: EngineEvent): void } {
  const listeners = new Set<(e: EngineEvent) => void>();
  return {
    handle: async <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => {
      if (method === 'containers:list') return [{ id: 'a', all: (params as { all: boolean }).all }] as unknown as ApiResult<M>;
      throw new EngineError('E_CONTAINER_NOT_FOUND', 'no such container');
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: async () => undefined,
    fire: (e) => listeners.forEach((l) => l(e)),
  };
}

test('the unix socket answers requests, keeps error codes, validates input and pushes events', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sock-test-'));
  const engine = fakeEngine();
  const server = await startUnixSocketServer(engine, path.join(dir, 'cove', 'engine.sock'));
  try {
    assert.equal(fs.statSync(server.path).mode & 0o777, 0o600);
    const c = net.connect(server.path);
    const lines: string[] = [];
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    await new Promise((r) => c.once('connect', r));
    c.write(JSON.stringify({ kind: 'request', id: 1, method: 'containers:list', params: { all: true } }) + '\n');
    c.write(JSON.stringify({ kind: 'request', id: 2, method: 'containers:start', params: { id: 'x' } }) + '\n');
    c.write(JSON.stringify({ kind: 'request', id: 3, method: 'containers:list', params: { all: 'yes' } }) + '\n');
    c.write(JSON.stringify({ kind: 'request', id: 4, method: 'no:such', params: {} }) + '\n');
    engine.fire({ type: 'container', action: 'start', id: 'a', time: 't' });
    const deadline = Date.now() + 5000;
    while (lines.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const msgs = lines.map((l) => JSON.parse(l) as { kind: string; id?: number; ok?: boolean; result?: unknown; error?: { code: string; message: string } });
    const byId = (id: number) => msgs.find((m) => m.id === id);
    assert.deepEqual(byId(1)?.result, [{ id: 'a', all: true }]);
    assert.equal(byId(2)?.error?.code, 'E_CONTAINER_NOT_FOUND');
    assert.equal(byId(3)?.error?.code, 'E_INVALID_ARGUMENT');
    assert.match(byId(3)?.error?.message ?? '', /all/);
    assert.equal(byId(4)?.error?.code, 'E_INVALID_ARGUMENT');
    assert.ok(msgs.some((m) => m.kind === 'event'));
    c.destroy();
    await assert.rejects(startUnixSocketServer(engine, server.path), /already serves/);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(fs.existsSync(server.path), false);
});
