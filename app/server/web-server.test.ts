// Web mode's sockets with a fake engine and a fake pty: the /term checks and
// frames. Subscriptions per socket are tested with every transport in
// app/transport/transports.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import WebSocket from 'ws';
import { TERMINAL_FRAME, encodeTerminalFrame } from '../api/contract.js';
import { ScriptedEngine } from '../testing/scripted-engine.js';
import type { TerminalProcess } from '../terminal/terminal-bridge.js';
import { TerminalRegistry } from '../terminal/terminal-registry.js';
import { startWebServer } from './web-server.js';

class FakeEngine extends ScriptedEngine {
  constructor() {
    super(async (method, _params, ctx) => {
      if (method === 'logs:follow') return { subscription: ctx.open(() => undefined).id, lines: [] };
      throw Object.assign(new Error('no'), { code: 'E_INVALID_ARGUMENT' });
    });
  }
}

function echoProcess(): TerminalProcess {
  const data: Array<(d: string) => void> = [];
  const exits: Array<(c: number) => void> = [];
  return {
    onData: (l) => (data.push(l), () => undefined),
    onExit: (l) => (exits.push(l), () => undefined),
    write: (raw) => {
      const d = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
      if (d === 'exit\r') exits.forEach((l) => l(0));
      else data.forEach((l) => l(`echo:${d}`));
    },
    resize: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    close: () => undefined,
  };
}

async function withServer(fn: (s: { url: URL; token: string; engine: FakeEngine }) => Promise<void>): Promise<void> {
  const engine = new FakeEngine();
  const terminals = new TerminalRegistry({ cli: [], spawn: () => echoProcess() });
  const server = await startWebServer({ engine, staticDir: os.tmpdir(), terminals });
  try {
    await fn({ url: new URL(server.url), token: server.token, engine });
  } finally {
    await server.close();
  }
}

// Frames can arrive in the same chunk as the handshake, before `await` returns: queue from the start.
const queues = new WeakMap<WebSocket, { frames: Buffer[]; waiting: Array<(b: Buffer) => void> }>();

function connect(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Origin: origin } });
    const q = { frames: [] as Buffer[], waiting: [] as Array<(b: Buffer) => void> };
    queues.set(ws, q);
    ws.on('message', (d: Buffer) => {
      const w = q.waiting.shift();
      if (w) w(d);
      else q.frames.push(d);
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<Buffer> {
  const q = queues.get(ws);
  const ready = q?.frames.shift();
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve) => q?.waiting.push(resolve));
}

test('/term refuses a wrong token or Origin, then relays frames and reports the exit', async () => {
  await withServer(async ({ url, token }) => {
    const base = `ws://${url.host}/term?container=c1&mode=exec&cols=80&rows=24`;
    await assert.rejects(connect(`${base}&token=wrong`, url.origin), /HTTP 403/);
    await assert.rejects(connect(`${base}&token=${token}`, 'http://evil.example'), /HTTP 403/);
    const ws = await connect(`${base}&token=${token}`, url.origin);
    const ready = await nextMessage(ws);
    assert.equal(ready[0], TERMINAL_FRAME.control);
    assert.equal(JSON.parse(ready.subarray(1).toString()).type, 'ready');
    ws.send(encodeTerminalFrame(TERMINAL_FRAME.data, new TextEncoder().encode('ls\r')));
    const out = await nextMessage(ws);
    assert.equal(out[0], TERMINAL_FRAME.data);
    assert.equal(out.subarray(1).toString(), 'echo:ls\r');
    const closed = new Promise((r) => ws.once('close', r));
    ws.send(encodeTerminalFrame(TERMINAL_FRAME.data, new TextEncoder().encode('exit\r')));
    assert.deepEqual(JSON.parse((await nextMessage(ws)).subarray(1).toString()), { type: 'exit', code: 0 });
    await closed;
  });
});

test('/term closes with a reason on a bad query', async () => {
  await withServer(async ({ url, token }) => {
    const ws = await connect(`ws://${url.host}/term?token=${token}&container=../x&mode=root`, url.origin);
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    assert.equal(code, 1008);
  });
});
