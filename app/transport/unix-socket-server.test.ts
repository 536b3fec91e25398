import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { EngineError } from '../engine/errors.js';
import { ScriptedEngine } from '../testing/scripted-engine.js';
import { startUnixSocketServer } from './unix-socket-server.js';

/** The transport is under test here, not the engine. */
function fakeEngine(): ScriptedEngine {
  return new ScriptedEngine(async (method, params) => {
    if (method === 'containers:list') return [{ id: 'a', all: (params as { all: boolean }).all }];
    throw new EngineError('E_CONTAINER_NOT_FOUND', 'no such container');
  });
}

test('the unix socket answers requests, keeps error codes, validates input and sends subscribed events', async () => {
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
    const until = async (n: number): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (lines.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    };
    c.write(JSON.stringify({ kind: 'request', id: 1, method: 'containers:list', params: { all: true } }) + '\n');
    c.write(JSON.stringify({ kind: 'request', id: 2, method: 'containers:start', params: { id: 'x' } }) + '\n');
    c.write(JSON.stringify({ kind: 'request', id: 3, method: 'containers:list', params: { all: 'yes' } }) + '\n');
    c.write(JSON.stringify({ kind: 'request', id: 4, method: 'no:such', params: {} }) + '\n');
    c.write(JSON.stringify({ kind: 'request', id: 5, method: 'events:subscribe', params: { types: ['container'] } }) + '\n');
    await until(5);
    engine.emit({ type: 'container', action: 'start', id: 'a', time: 't' });
    engine.emit({ type: 'image', action: 'tag', id: 'b', time: 't' });
    await until(6);
    await new Promise((r) => setTimeout(r, 50));
    const msgs = lines.map((l) => JSON.parse(l) as { kind: string; id?: number; ok?: boolean; result?: unknown; error?: { code: string; message: string }; subscription?: string; event?: { type: string } });
    const byId = (id: number) => msgs.find((m) => m.id === id);
    assert.deepEqual(byId(1)?.result, [{ id: 'a', all: true }]);
    assert.equal(byId(2)?.error?.code, 'E_CONTAINER_NOT_FOUND');
    assert.equal(byId(3)?.error?.code, 'E_INVALID_ARGUMENT');
    assert.match(byId(3)?.error?.message ?? '', /all/);
    assert.equal(byId(4)?.error?.code, 'E_INVALID_ARGUMENT');
    const subscription = (byId(5)?.result as { subscription: string }).subscription;
    const events = msgs.filter((m) => m.kind === 'event');
    assert.deepEqual(events.map((e) => [e.subscription, e.event?.type]), [[subscription, 'container']], 'only the subscribed type, tagged with its subscription');
    c.destroy();
    await assert.rejects(startUnixSocketServer(engine, server.path), /already serves/);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(fs.existsSync(server.path), false);
});
