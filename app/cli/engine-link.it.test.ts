// The CLI as a client of a running engine: with `cove serve` up, verbs go
// over its engine socket (the served engine sees and announces what they
// do), `logs -f` follows through the engine's follower and ends when the
// container stops, and `cp`/`export` stream through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxSandbox, eventually, type CoveSandbox } from '../testing/harness.js';
import { startServe, type ServeProcess } from '../testing/serve.js';
import { connectApi, type TestApiClient } from '../testing/api-client.js';

let sb: CoveSandbox;
let serve: ServeProcess;
let api: TestApiClient;

before(async () => {
  sb = await busyboxSandbox('cove-link-');
  serve = await startServe(sb);
  api = await connectApi(serve.url);
});

after(async () => {
  await api?.close();
  await serve?.stop();
  await sb?.cleanup();
});

test('with an engine running, verbs go through its socket: it announces their changes', async () => {
  assert.ok(fs.lstatSync(path.join(sb.home, 'run', 'engine.sock')).isSocket());
  const r = await sb.cove(['volume', 'create', 'via-socket']);
  assert.equal(r.code, 0, r.stderr);
  // Volume events come from the engine that did the work (nothing watches volumes/ on disk).
  await eventually(() => api.events.some((e) => e.type === 'volume' && e.action === 'create' && e.id === 'via-socket'), 10_000, 'the served engine saw the CLI create the volume');
  const gone = await sb.cove(['volume', 'rm', 'via-socket']);
  assert.equal(gone.code, 0, gone.stderr);
  const missing = await sb.cove(['rm', 'no-such-container']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[E_CONTAINER_NOT_FOUND\]/, 'the engine error code survives the socket');
});

test('logs -f prints what the container writes and ends when it stops', async () => {
  const run = await sb.cove(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'echo first; sleep 2; echo second; echo oops >&2']);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  const started = Date.now();
  const logs = await sb.cove(['logs', '-f', id], { timeoutMs: 30_000 });
  assert.equal(logs.code, 0, logs.stderr);
  assert.equal(logs.stdout, 'first\nsecond\n');
  assert.equal(logs.stderr, 'oops\n');
  assert.ok(Date.now() - started >= 1500, 'it waited for the second line');
  const again = await sb.cove(['logs', '--tail', '1', id]);
  assert.equal(again.stdout + again.stderr, 'oops\n');
});

test('cp and export stream through the API; system df comes from the engine', async () => {
  const run = await sb.cove(['run', '-d', '--network', 'none', '--name', 'files', 'busybox', 'sh', '-c', 'echo hello > /greeting; sleep 60']);
  assert.equal(run.code, 0, run.stderr);
  const out = path.join(sb.home, 'copied');
  const cp = await sb.cove(['cp', 'files:/greeting', out]);
  assert.equal(cp.code, 0, cp.stderr);
  assert.equal(fs.readFileSync(out, 'utf8'), 'hello\n');
  const tar = path.join(sb.home, 'fs.tar');
  const exp = await sb.cove(['export', '-o', tar, 'files']);
  assert.equal(exp.code, 0, exp.stderr);
  // A tar names its members in 512-byte headers: the container's file is among them.
  assert.ok(fs.readFileSync(tar).includes(Buffer.from('greeting')), 'the export holds the container\'s file');
  const df = await sb.cove(['system', 'df']);
  assert.equal(df.code, 0, df.stderr);
  // Two containers (the one logs -f followed has exited); the running one wrote its 6-byte file.
  assert.match(df.stdout, /^Containers\s+2\s+1\s+6B\s/m);
  await sb.cove(['rm', '-f', 'files']);
});
