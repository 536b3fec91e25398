// Hostile clients on raw sockets: every malformed-frame class on /api and
// /term closes that connection with RFC 6455's close code, and the server
// keeps answering others. The same for an oversized line on the unix socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ApiParams } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import { ScriptedEngine } from '../testing/scripted-engine.js';
import type { TerminalProcess } from '../terminal/terminal-bridge.js';
import { TerminalRegistry } from '../terminal/terminal-registry.js';
import { MAX_FRAME_BYTES, MAX_PARAMS_BYTES, MAX_TERMINAL_FRAME_BYTES } from '../transport/frame-limits.js';
import { startUnixSocketServer } from '../transport/unix-socket-server.js';
import { validateParams } from '../transport/validate.js';
import { startWebServer } from './web-server.js';

const engine = new ScriptedEngine(async (method) => {
  if (method === 'containers:list') return [];
  throw new EngineError('E_CONTAINER_NOT_FOUND', 'no such container');
});

function idleProcess(): TerminalProcess {
  return {
    onData: () => () => undefined,
    onExit: () => () => undefined,
    write: () => undefined,
    resize: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    close: () => undefined,
  };
}

interface RawClient {
  sock: net.Socket;
  /** Resolves with the close code of the server's close frame (or 1006 when the connection ended without one). */
  closeCode: Promise<number>;
  /** Text frames the server sent. */
  texts: string[];
  textArrived: Promise<void>;
}

/** An RFC 6455 client frame; `mask` false and `length` let a test lie about what it sends. */
function frame(opcode: number, payload: Buffer, o: { fin?: boolean; rsv1?: boolean; mask?: boolean; length?: number } = {}): Buffer {
  const len = o.length ?? payload.length;
  const head: number[] = [(o.fin === false ? 0 : 0x80) | (o.rsv1 ? 0x40 : 0) | opcode];
  const maskBit = o.mask === false ? 0 : 0x80;
  let ext = Buffer.alloc(0);
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  if (o.mask === false) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = crypto.randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

function rawConnect(port: number, pathAndQuery: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const texts: string[] = [];
    let onText: () => void = () => undefined;
    const textArrived = new Promise<void>((r) => (onText = r));
    let resolveClose: (code: number) => void = () => undefined;
    const closeCode = new Promise<number>((r) => (resolveClose = r));
    let buf = Buffer.alloc(0);
    let upgraded = false;
    sock.on('error', () => undefined);
    sock.on('close', () => resolveClose(1006));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(head.split('\r\n')[0]));
          return;
        }
        upgraded = true;
        resolve({ sock, closeCode, texts, textArrived });
      }
      // Server frames are unmasked; small ones are all a test needs to read.
      while (buf.length >= 2) {
        const op = (buf[0] as number) & 0x0f;
        let len = (buf[1] as number) & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (op === 0x8) resolveClose(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        if (op === 0x1) {
          texts.push(payload.toString());
          onText();
        }
      }
    });
    sock.on('connect', () => {
      const addr = `127.0.0.1:${port}`;
      sock.write(
        `GET ${pathAndQuery} HTTP/1.1\r\nHost: ${addr}\r\nOrigin: http://${addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  });
}

const closeFrame = (code: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return frame(0x8, b);
};

/** Each class of malformed frame and the close code RFC 6455 §7.4.1 gives it. */
function badFrames(limit: number): Array<{ name: string; bytes: Buffer; code: number }> {
  return [
    { name: 'oversized (declared length over the limit)', bytes: frame(0x1, Buffer.alloc(0), { length: limit + 1 }), code: 1009 },
    { name: 'invalid UTF-8 in a text frame', bytes: frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), code: 1007 },
    { name: 'reserved bit RSV1 without an extension', bytes: frame(0x1, Buffer.from('{}'), { rsv1: true }), code: 1002 },
    { name: 'unknown opcode 0x3', bytes: frame(0x3, Buffer.from('x')), code: 1002 },
    { name: 'control opcode 0xB', bytes: frame(0xb, Buffer.from('x')), code: 1002 },
    { name: 'close code 1005 (never on the wire)', bytes: closeFrame(1005), code: 1002 },
    { name: 'close code 999 (out of range)', bytes: closeFrame(999), code: 1002 },
    { name: 'unmasked client frame', bytes: frame(0x1, Buffer.from('{}'), { mask: false }), code: 1002 },
    { name: 'fragmented control frame', bytes: frame(0x9, Buffer.from('x'), { fin: false }), code: 1002 },
    { name: 'continuation without a start', bytes: frame(0x0, Buffer.from('x')), code: 1002 },
  ];
}

async function withServer(fn: (port: number, token: string) => Promise<void>): Promise<void> {
  const terminals = new TerminalRegistry({ cli: [], spawn: () => idleProcess() });
  const server = await startWebServer({ engine, staticDir: os.tmpdir(), terminals });
  try {
    await fn(server.port, server.token);
  } finally {
    await server.close();
  }
}

/** A well-behaved second client still gets its answer. */
async function apiAnswers(port: number, token: string): Promise<void> {
  const good = await rawConnect(port, `/api?token=${token}`);
  good.sock.write(frame(0x1, Buffer.from(JSON.stringify({ kind: 'request', id: 7, method: 'containers:list', params: { all: true } }))));
  await good.textArrived;
  assert.deepEqual(JSON.parse(good.texts[0] ?? ''), { kind: 'response', id: 7, ok: true, result: [] });
  good.sock.destroy();
}

for (const [route, limit] of [
  ['/api', MAX_FRAME_BYTES],
  ['/term', MAX_TERMINAL_FRAME_BYTES],
] as const) {
  test(`${route}: each malformed frame closes only its connection with the right code`, async () => {
    await withServer(async (port, token) => {
      const query = route === '/api' ? `/api?token=${token}` : `/term?token=${token}&container=c1&mode=exec&cols=80&rows=24`;
      const bystander = await rawConnect(port, query);
      for (const bad of badFrames(limit)) {
        const c = await rawConnect(port, query);
        c.sock.write(bad.bytes);
        assert.equal(await c.closeCode, bad.code, bad.name);
        c.sock.destroy();
        await apiAnswers(port, token);
      }
      bystander.sock.write(frame(0x9, Buffer.from('ping')));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(bystander.sock.destroyed, false, 'a connection that did nothing wrong stays open');
      bystander.sock.destroy();
    });
  });
}

test('/term: a bad query with long multibyte input closes with 1008, and the server lives on', async () => {
  await withServer(async (port, token) => {
    const mode = encodeURIComponent('é'.repeat(200));
    const c = await rawConnect(port, `/term?token=${token}&container=c1&mode=${mode}&cols=80&rows=24`);
    assert.equal(await c.closeCode, 1008);
    c.sock.destroy();
    await apiAnswers(port, token);
  });
});

test('/api: a binary frame closes with 1003, a request the validator accepts fits in a frame, a larger one is refused', async () => {
  await withServer(async (port, token) => {
    const bin = await rawConnect(port, `/api?token=${token}`);
    bin.sock.write(frame(0x2, Buffer.from('{}')));
    assert.equal(await bin.closeCode, 1003);
    bin.sock.destroy();

    // Labels of 4 KiB each, as many as fit just under the parameter limit: accepted, carried in one frame.
    const labels = (count: number): Record<string, string> => Object.fromEntries(Array.from({ length: count }, (_, i) => [`l${i}`, 'v'.repeat(4000)]));
    const fits = Math.floor((MAX_PARAMS_BYTES - 100) / 4012);
    const near = { image: 'busybox', labels: labels(fits) };
    assert.equal(validateParams('containers:run', near).ok, true);
    const c = await rawConnect(port, `/api?token=${token}`);
    c.sock.write(frame(0x1, Buffer.from(JSON.stringify({ kind: 'request', id: 1, method: 'containers:run', params: near }))));
    await c.textArrived;
    assert.equal((JSON.parse(c.texts[0] ?? '') as { error: { code: string } }).error.code, 'E_CONTAINER_NOT_FOUND', 'reached the engine');
    c.sock.destroy();

    const over = validateParams('containers:run', { image: 'busybox', labels: labels(fits + 2) } as ApiParams<'containers:run'>);
    assert.equal(over.ok, false);
    assert.match(over.ok ? '' : over.message, /bytes of parameters/);
  });
});

test('the unix socket drops a line over the frame limit, and keeps serving others', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-badline-'));
  const server = await startUnixSocketServer(engine, path.join(dir, 'run', 'engine.sock'));
  try {
    const hog = net.connect(server.path);
    hog.on('error', () => undefined);
    const hogClosed = new Promise((r) => hog.once('close', r));
    await new Promise((r) => hog.once('connect', r));
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let sent = 0; sent <= MAX_FRAME_BYTES && !hog.destroyed; sent += chunk.length) hog.write(chunk);
    await hogClosed;

    const good = net.connect(server.path);
    const answer = new Promise<string>((r) => good.once('data', (d) => r(d.toString())));
    good.write(Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(JSON.stringify({ kind: 'request', id: 3, method: 'containers:list', params: { all: false } }) + '\n')]));
    assert.deepEqual(JSON.parse(await answer), { kind: 'response', id: 3, ok: true, result: [] });
    good.destroy();
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
