// docker exec through Cove's Docker API: the non-TTY stream demultiplexed
// into stdout and stderr, stdin, exit codes, -d, and -it in a real pty whose
// resize reaches the container's terminal; docker cp, diff and export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as pty from 'node-pty';
import { eventually } from '../testing/harness.js';
import { DOCKER_CLI, NO_DOCKER_CLI, dockerSuite } from '../testing/docker-service.js';

const skip = NO_DOCKER_CLI;
const suite = dockerSuite('cove-docker-exec-', {
  ready: async ({ svc }) => {
    const r = await svc.docker(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
  },
  cleanup: async ({ svc }) => {
    await svc.docker(['rm', '-f', 'ex']);
  },
});

test('exec without a TTY: stdout and stderr apart, the exit code, stdin, 127 for a missing command', { skip }, async () => {
  const r = await suite.svc.docker(['exec', 'ex', 'sh', '-c', 'echo out; echo err >&2; exit 5']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [5, 'out\n', 'err\n']);
  const cat = await suite.svc.docker(['exec', '-i', 'ex', 'cat'], { input: 'hello\n' });
  assert.deepEqual([cat.code, cat.stdout], [0, 'hello\n'], cat.stderr);
  const missing = await suite.svc.docker(['exec', 'ex', 'no-such-command']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /no-such-command/);
  const gone = await suite.svc.docker(['exec', 'nope', 'true']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such container: nope/);
});

test('exec -d runs on its own', { skip }, async () => {
  const r = await suite.svc.docker(['exec', '-d', 'ex', 'sh', '-c', 'echo detached > /tmp/d']);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await suite.svc.docker(['exec', 'ex', 'cat', '/tmp/d'])).stdout === 'detached\n', 10_000, 'the detached exec');
});

test('exec -it in a pty: a /dev/pts terminal with TERM set, and a resize changes stty size', { skip }, async () => {
  const term = pty.spawn(DOCKER_CLI, ['exec', '-it', 'ex', 'sh'], { cols: 100, rows: 30, env: suite.svc.env as Record<string, string> });
  let out = '';
  term.onData((d) => (out += d));
  const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  try {
    await eventually(() => out.includes('# '), 20_000, 'the shell prompt');
    term.write('stty size; tty; echo TERM=$TERM\r');
    await eventually(() => /30 100/.test(out) && /TERM=xterm/.test(out), 10_000, 'the first size');
    assert.match(out, /\/dev\/pts\/\d+/);
    term.resize(120, 40);
    // The docker CLI sends the new size on SIGWINCH; ask until the container's terminal has it.
    await eventually(async () => {
      term.write('stty size\r');
      await new Promise((r) => setTimeout(r, 300));
      return /40 120/.test(out);
    }, 10_000, 'the resized terminal');
    term.write('exit 7\r');
    assert.equal(await exited, 7);
  } finally {
    term.kill();
  }
});

test('docker cp both ways, a missing path, diff and export', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-docker-cp-'));
  try {
    fs.mkdirSync(path.join(dir, 'tree', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tree', 'sub', 's.txt'), 'subdata\n');
    fs.writeFileSync(path.join(dir, 'f.txt'), 'filedata\n');
    for (const args of [['cp', path.join(dir, 'f.txt'), 'ex:/tmp/'], ['cp', path.join(dir, 'tree'), 'ex:/tmp/tree']]) {
      const r = await suite.svc.docker(args);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await suite.svc.docker(['exec', 'ex', 'cat', '/tmp/f.txt', '/tmp/tree/sub/s.txt'])).stdout, 'filedata\nsubdata\n');
    const out = await suite.svc.docker(['cp', 'ex:/tmp/tree', path.join(dir, 'back')]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'back', 'sub', 's.txt'), 'utf8'), 'subdata\n');
    const missing = await suite.svc.docker(['cp', 'ex:/no/such/path', path.join(dir, 'x')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Could not find the file \/no\/such\/path/);
    assert.match((await suite.svc.docker(['diff', 'ex'])).stdout, /^A \/tmp\/tree\/sub\/s\.txt$/m);
    const exported = await suite.svc.docker(['export', '-o', path.join(dir, 'fs.tar'), 'ex']);
    assert.equal(exported.code, 0, exported.stderr);
    const listing = spawnSync('tar', ['-tf', path.join(dir, 'fs.tar')], { encoding: 'utf8' }).stdout;
    assert.match(listing, /^\.?\/?tmp\/f\.txt$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a client that hangs up in the middle of an export leaves no tar behind and the server serving', { skip }, async () => {
  // The container's whole filesystem, of which the client reads one byte and closes.
  const r = spawnSync('sh', ['-c', `"${DOCKER_CLI}" export ex | head -c 1 > /dev/null`], { env: suite.svc.env, timeout: 30_000 });
  assert.equal(r.status, 0);
  await eventually(() => spawnSync('pgrep', ['-u', String(process.getuid?.()), '-f', 'tar -c -f - -C .*export-'], { encoding: 'utf8' }).stdout.trim() === '', 15_000, 'the export tar to end');
  assert.equal((await suite.svc.docker(['exec', 'ex', 'true'])).code, 0);
});

test('a hijacked exec stream that its client closes in the middle of a frame leaves the server serving', { skip }, async () => {
  // 50 MB of output in multiplexed frames: the client hangs up while a frame is still arriving.
  const created = await apiJson<{ Id: string }>(suite.svc.socket, 'POST', '/v1.50/containers/ex/exec', { Cmd: ['head', '-c', '50000000', '/dev/zero'], AttachStdout: true, AttachStderr: true });
  assert.equal(created.status, 201);
  const h = await hijack(suite.svc.socket, `/v1.50/exec/${created.body.Id}/start`, { Detach: false, Tty: false }, true);
  let got = h.first;
  await new Promise<void>((resolve) => {
    const check = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      // Walk the whole frames received; stop where the last one is cut short.
      let i = 0;
      while (i + 8 <= got.length && i + 8 + got.readUInt32BE(i + 4) <= got.length) i += 8 + got.readUInt32BE(i + 4);
      if (got.length > 65536 && i < got.length) {
        h.sock.off('data', check);
        h.sock.destroy();
        resolve();
      }
    };
    h.sock.on('data', check);
  });
  assert.equal((await apiJson(suite.svc.socket, 'GET', '/_ping')).status, 200);
  const after = await suite.svc.docker(['exec', 'ex', 'echo', 'still here']);
  assert.deepEqual([after.code, after.stdout], [0, 'still here\n'], after.stderr);
  // The cut exec is not left streaming into nowhere: it ends (its output has no reader) and reports so.
  await eventually(async () => (await apiJson<{ Running: boolean }>(suite.svc.socket, 'GET', `/v1.50/exec/${created.body.Id}/json`)).body.Running === false, 30_000, 'the cut exec to end');
});

interface Hijacked {
  status: number;
  head: string;
  /** Everything after the response head, until the server closed the connection. */
  stream: Promise<Buffer>;
  /** The bytes after the head that came in the same read as its end. */
  first: Buffer;
  sock: net.Socket;
}

/** A hijacking request as a raw client sends it: with or without `Upgrade: tcp`, the body, then the stream on the same connection. */
function hijack(socketPath: string, url: string, body: unknown, upgrade: boolean): Promise<Hijacked> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const sock = net.connect({ path: socketPath, allowHalfOpen: true });
    let buf = Buffer.alloc(0);
    let headDone = false;
    const chunks: Buffer[] = [];
    const stream = new Promise<Buffer>((res) => sock.on('close', () => res(Buffer.concat(chunks))));
    sock.on('error', reject);
    // The server's end of the stream: end ours too, so the connection closes.
    sock.on('end', () => sock.end());
    sock.on('data', (d: Buffer) => {
      if (headDone) return void chunks.push(d);
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      const head = buf.subarray(0, end).toString('latin1');
      const first = buf.subarray(end + 4);
      chunks.push(first);
      resolve({ status: Number(head.split(' ')[1]), head, stream, first, sock });
    });
    const upgradeHeaders = upgrade ? 'Connection: Upgrade\r\nUpgrade: tcp\r\n' : '';
    sock.write(`POST ${url} HTTP/1.1\r\nHost: docker\r\n${upgradeHeaders}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\n\r\n${data}`);
  });
}

/** docker's multiplexed frames (stdcopy): [stream, 0, 0, 0, size u32 BE] payload. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    const text = buf.subarray(i + 8, i + 8 + size).toString('utf8');
    if (buf[i] === 1) out.stdout += text;
    if (buf[i] === 2) out.stderr += text;
    i += 8 + size;
  }
  return out;
}

async function apiJson<T>(socketPath: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const req = http.request({ socketPath, method, path: url, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (res.headers['content-type']?.includes('json') && text ? JSON.parse(text) : text) as T }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('exec start and attach without an Upgrade header are hijacked as docker does (200, then the stream both ways), as well as with one (101)', { skip }, async () => {
  for (const upgrade of [false, true]) {
    const created = await apiJson<{ Id: string }>(suite.svc.socket, 'POST', '/v1.50/containers/ex/exec', { Cmd: ['sh', '-c', 'cat; echo err >&2; exit 3'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    assert.equal(created.status, 201);
    const h = await hijack(suite.svc.socket, `/v1.50/exec/${created.body.Id}/start`, { Detach: false, Tty: false }, upgrade);
    assert.match(h.head, upgrade ? /^HTTP\/1\.1 101 UPGRADED\r\n/ : /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(h.head, /Content-Type: application\/vnd\.docker\.raw-stream/);
    h.sock.write('hello from stdin\n');
    h.sock.end();
    assert.deepEqual(demux(await h.stream), { stdout: 'hello from stdin\n', stderr: 'err\n' }, `upgrade=${upgrade}`);
    await eventually(async () => (await apiJson<{ ExitCode: number | null }>(suite.svc.socket, 'GET', `/v1.50/exec/${created.body.Id}/json`)).body.ExitCode === 3, 10_000, 'the exec exit code');
  }
  for (const upgrade of [false, true]) {
    const name = upgrade ? 'att-upgraded' : 'att-plain';
    const ran = await suite.svc.docker(['run', '-d', '-i', '--name', name, 'busybox', 'sh', '-c', 'read a; echo got $a; echo bye >&2']);
    assert.equal(ran.code, 0, ran.stderr);
    try {
      const h = await hijack(suite.svc.socket, `/v1.50/containers/${name}/attach?stream=1&stdin=1&stdout=1&stderr=1`, undefined, upgrade);
      assert.equal(h.status, upgrade ? 101 : 200, h.head);
      assert.match(h.head, /Content-Type: application\/vnd\.docker\.raw-stream/);
      h.sock.write('line\n');
      // The container ends after its answer: the server ends the stream.
      assert.deepEqual(demux(await h.stream), { stdout: 'got line\n', stderr: 'bye\n' }, `upgrade=${upgrade}`);
    } finally {
      await suite.svc.docker(['rm', '-f', name]);
    }
  }
  // The server still answers plain requests afterwards.
  assert.equal((await apiJson(suite.svc.socket, 'GET', '/_ping')).status, 200);
});
