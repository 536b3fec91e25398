// Many CLI processes on one container at once (real containers): records
// change only under the lock, start is serialised per container, and a
// command killed with SIGKILL while holding a lock never wedges the next.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createSandbox, fixtures, type CoveSandbox } from '../../testing/harness.js';

let sb: CoveSandbox;
before(async () => {
  sb = await createSandbox();
  const fx = await fixtures();
  assert.equal((await sb.cove(['load', '-q', '-i', fx.busyboxDocker])).code, 0);
});
after(async () => {
  await sb?.cleanup();
});

function exited(child: ChildProcess): Promise<number> {
  // A quick command may be gone before we ask: its 'close' has fired already and would never come again.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? 128);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))));
}

async function stateOf(name: string): Promise<string> {
  const r = await sb.cove(['inspect', name]);
  assert.equal(r.code, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as Array<{ Name: string; State: { Status: string } }>;
  assert.equal(info?.Name.replace(/^\//, ''), name);
  return info?.State.Status ?? '';
}

const TRAP = `trap 'exit 0' TERM; while :; do sleep 0.1; done`;

test('20 concurrent rename/stop/start processes on one container end with a consistent record', async () => {
  const r = await sb.cove(['run', '-d', '--network', 'none', '--name', 'busy0', 'busybox', 'sh', '-c', TRAP]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const record = path.join(sb.home, 'containers', id, 'container.json');
  // 10 stop/start processes at once, while 10 renames run one after the other: a stop or a start
  // that read the record before a rename must not write the old name back.
  const hammer = Array.from({ length: 10 }, (_, i) => sb.cove(i % 2 === 0 ? ['stop', '-t', '2', id] : ['start', id]));
  let last = '';
  for (let i = 1; i <= 10; i++) {
    last = `busy${i}`;
    const rn = await sb.cove(['rename', id, last]);
    assert.equal(rn.code, 0, rn.stderr);
    const now = JSON.parse(fs.readFileSync(record, 'utf8')) as { name: string };
    assert.equal(now.name, last, `rename ${i} stayed`);
  }
  for (const done of await Promise.all(hammer)) {
    // A start may find it running already (docker says so too); nothing else may fail.
    assert.ok(done.code === 0 || /already running/.test(done.stderr), `a start/stop failed: ${done.stderr}`);
  }
  const rec = JSON.parse(fs.readFileSync(record, 'utf8')) as { id: string; name: string };
  assert.equal(rec.id, id);
  assert.equal(rec.name, last, 'no stop or start undid a rename');
  // The state the files say is one ps agrees with, and the container still obeys.
  const state = await stateOf(last);
  assert.match(state, /^(running|exited)$/);
  if (state === 'running') assert.equal((await sb.cove(['stop', '-t', '2', last])).code, 0);
  const restart = await sb.cove(['start', last]);
  assert.equal(restart.code, 0, restart.stderr);
  assert.equal((await sb.cove(['stop', '-t', '2', last])).code, 0);
  assert.equal(await stateOf(last), 'exited');
  assert.deepEqual(fs.readdirSync(path.join(sb.home, 'containers')).filter((n) => n !== id), [], 'no half-made container');
  assert.equal((await sb.cove(['rm', '-f', id])).code, 0);
});

test('kill -9 of commands holding locks never wedges the next command', async () => {
  const r = await sb.cove(['create', '--network', 'none', '--name', 'victim', 'busybox', 'sh', '-c', TRAP]);
  assert.equal(r.code, 0, r.stderr);
  for (let round = 0; round < 3; round++) {
    const doomed = [sb.spawnCove(['start', 'victim']), sb.spawnCove(['rename', 'victim', 'victim']), sb.spawnCove(['stop', '-t', '1', 'victim'])];
    await new Promise((res) => setTimeout(res, 80 + round * 60));
    for (const c of doomed) c.kill('SIGKILL');
    await Promise.all(doomed.map(exited));
    const t0 = Date.now();
    const start = await sb.cove(['start', 'victim'], { timeoutMs: 20_000 });
    assert.ok(start.code === 0 || /already running/.test(start.stderr), start.stderr);
    const stop = await sb.cove(['stop', '-t', '1', 'victim'], { timeoutMs: 20_000 });
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(Date.now() - t0 < 15_000, `the next commands took ${Date.now() - t0} ms`);
  }
  assert.equal((await sb.cove(['rm', '-f', 'victim'])).code, 0);
});
