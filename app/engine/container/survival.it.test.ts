// Containers outlive the engine (issue 3): kill -9 the long-lived engine
// (`cove serve`), start it again, and the container is still there, its
// log is complete, and stopping it works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxSandbox, eventually, type CoveSandbox } from '../../testing/harness.js';
import { startServe } from '../../testing/serve.js';
import { connectApi } from '../../testing/api-client.js';

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox();
});
after(async () => sb?.cleanup());

function counted(lines: string[]): number[] {
  return lines.filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5)));
}

test('a container started by the engine survives kill -9 of the engine and is found again', async () => {
  const first = await startServe(sb);
  const api = await connectApi(first.url);
  const started = await api.call('containers:run', {
    image: 'busybox',
    name: 'survivor',
    command: ['sh', '-c', 'trap "echo stopping; exit 0" TERM; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.05; done'],
  });
  assert.equal(started.state, 'running');
  await eventually(async () => counted((await api.call('containers:logs', { id: 'survivor' })).map((l) => l.text)).length >= 5, 10_000, 'first lines');
  api.close();
  await first.stop('SIGKILL');

  // The container kept running while no engine was alive.
  const between = (await sb.cove(['ps'])).stdout;
  assert.match(between, /Up .*survivor/);
  const before = counted((await sb.cove(['logs', 'survivor'])).stdout.split('\n')).length;
  await new Promise((r) => setTimeout(r, 500));

  const second = await startServe(sb);
  const api2 = await connectApi(second.url);
  try {
    const list = await api2.call('containers:list', { all: false });
    const found = list.find((c) => c.name === 'survivor');
    assert.ok(found, 'found again after the restart');
    assert.equal(found.state, 'running');
    assert.equal(found.pid, started.pid, 'the same process, not a new one');
    const logs = counted((await api2.call('containers:logs', { id: 'survivor' })).map((l) => l.text));
    assert.ok(logs.length > before, 'it kept logging while the engine was dead');
    assert.deepEqual(logs, logs.map((_, i) => i), 'the log is complete: no line lost or duplicated');
    // attach works on the found-again container: live output, and the end when it stops.
    const attached = sb.spawnCove(['attach', '--no-stdin', 'survivor']);
    let live = '';
    attached.stdout?.on('data', (d: Buffer) => (live += d.toString()));
    const attachExit = new Promise<number | null>((resolve) => attached.on('close', (code) => resolve(code)));
    await eventually(() => counted(live.split('\n')).length >= 3, 10_000, 'live output through attach');
    const stopped = await api2.call('containers:stop', { id: 'survivor', timeoutSeconds: 5 });
    assert.equal(await attachExit, 0, 'attach ends with the container and returns its exit code');
    assert.match(live, /stopping/);
    assert.equal(stopped.state, 'exited');
    assert.equal(stopped.exitCode, 0);
    const tail = await api2.call('containers:logs', { id: 'survivor', tail: 1 });
    assert.equal(tail[0]?.text, 'stopping');
  } finally {
    api2.close();
    await second.stop();
  }
});

test('--restart always brings a container back when Cove starts after it died with its monitor (a reboot)', async () => {
  const run = await sb.cove(['run', '-d', '--name', 'phoenix', '--restart', 'always', 'busybox', 'sleep', '1000']);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  const { default: fs } = await import('node:fs');
  const pid = Number(fs.readFileSync(`${sb.home}/containers/${id}/pid`, 'utf8'));
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const monitor = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  // Both go at once, as in a reboot: no exit hook runs, nothing restarts it yet.
  process.kill(monitor, 'SIGKILL');
  process.kill(pid, 'SIGKILL');
  await eventually(async () => /Exited \(-1\).*phoenix/.test((await sb.cove(['ps', '-a'])).stdout), 10_000, 'seen as dead');
  const serve = await startServe(sb);
  try {
    await eventually(async () => /Up .*phoenix/.test((await sb.cove(['ps'])).stdout), 10_000, 'restarted when the engine started');
  } finally {
    await serve.stop();
    await sb.cove(['rm', '-f', 'phoenix']);
  }
});
