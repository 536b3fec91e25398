// Healthchecks run by the container's monitor, not by an engine: every
// container here is started by a CLI process that exits at once, and the
// status is observed by later CLI calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { busyboxSandbox, eventually, okRunner, type CoveSandbox } from '../../testing/harness.js';
import type { ContainerInspect } from '../../api/contract.js';

let sb: CoveSandbox;
const ok = okRunner(() => sb);
before(async () => {
  sb = await busyboxSandbox('cove-health-');
});
after(async () => sb?.cleanup());

type Health = NonNullable<ContainerInspect['State']['Health']>;
async function health(name: string): Promise<Health | undefined> {
  const [view] = JSON.parse(await ok(['inspect', name])) as ContainerInspect[];
  return view?.State.Health;
}
async function psStatus(name: string): Promise<string> {
  const rows = (await ok(['ps', '-a', '--format', '{{.Names}}\t{{.Status}}'])).split('\n').map((l) => l.split('\t'));
  return rows.find(([n]) => n === name)?.[1] ?? '';
}

test('starting -> healthy once the probe passes -> unhealthy after `retries` failures, with the CLI gone in between', async () => {
  await ok(['run', '-d', '--name', 'hc', '--health-cmd', 'test -e /tmp/ok && echo fine', '--health-interval', '200ms', '--health-start-period', '60s', '--health-start-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '1000']);
  // Failures inside the start period do not count: it stays starting.
  await eventually(async () => ((await health('hc'))?.Log.length ?? 0) >= 2, 10_000, 'two failed probes');
  const early = await health('hc');
  assert.equal(early?.Status, 'starting');
  assert.equal(early?.FailingStreak, 0);
  assert.match(await psStatus('hc'), /^Up .* \(health: starting\)$/);

  await ok(['exec', 'hc', 'touch', '/tmp/ok']);
  const healthy = await eventually(async () => {
    const h = await health('hc');
    return h?.Status === 'healthy' ? h : undefined;
  }, 10_000, 'healthy');
  const last = healthy.Log.at(-1);
  assert.equal(last?.ExitCode, 0);
  assert.equal(last?.Output, 'fine\n');
  assert.ok(Date.parse(last?.End ?? '') >= Date.parse(last?.Start ?? ''), 'Start and End are timestamps in order');
  assert.match(await psStatus('hc'), /^Up .* \(healthy\)$/);
  assert.equal((await ok(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}'])).trim(), 'hc');
  assert.equal((await ok(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'])).trim(), '');

  await ok(['exec', 'hc', 'rm', '/tmp/ok']);
  const sick = await eventually(async () => {
    const h = await health('hc');
    return h?.Status === 'unhealthy' ? h : undefined;
  }, 10_000, 'unhealthy');
  assert.ok(sick.FailingStreak >= 2, `streak ${sick.FailingStreak}`);
  assert.ok(sick.Log.length <= 5, 'docker keeps the last five results');
  assert.equal(sick.Log.at(-1)?.ExitCode, 1);
  assert.match(await psStatus('hc'), /^Up .* \(unhealthy\)$/);
  // Five results at most, however many probes ran.
  await eventually(async () => ((await health('hc'))?.FailingStreak ?? 0) >= 7, 10_000, 'more failures');
  assert.equal((await health('hc'))?.Log.length, 5);

  // A stop ends the prober with the container; a start begins again at `starting`.
  await ok(['stop', '-t', '1', 'hc']);
  const frozen = await health('hc');
  await new Promise((r) => setTimeout(r, 600));
  assert.deepEqual(await health('hc'), frozen, 'no probe runs while it is stopped');
  assert.match(await psStatus('hc'), /^Exited/);
  await ok(['start', 'hc']);
  assert.equal((await health('hc'))?.Status, 'starting');
  await ok(['rm', '-f', 'hc']);
});

test('a probe that hangs is killed at its timeout and counts as a failure', async () => {
  await ok(['run', '-d', '--name', 'hang', '--health-cmd', 'sleep 30', '--health-timeout', '300ms', '--health-interval', '200ms', '--health-retries', '1', 'busybox', 'sleep', '1000']);
  const h = await eventually(async () => {
    const v = await health('hang');
    return v?.Status === 'unhealthy' ? v : undefined;
  }, 10_000, 'unhealthy by timeout');
  const first = h.Log[0];
  assert.equal(first?.ExitCode, -1);
  assert.equal(first?.Output, 'Health check exceeded timeout (300ms)');
  const took = Date.parse(first?.End ?? '') - Date.parse(first?.Start ?? '');
  assert.ok(took >= 250 && took < 2000, `the probe ran ${took} ms`);
  // The killed probes' `sleep 30` are gone from the container (one may be running right now).
  const ps = await ok(['exec', 'hang', 'ps', '-o', 'args']);
  assert.ok(ps.split('\n').filter((l) => l.trim() === 'sleep 30').length <= 1, ps);
  await ok(['rm', '-f', 'hang']);
});

test("a probe's output is kept up to 4 KiB, cut as docker cuts it; inspect --format reads the status", async () => {
  await ok(['run', '-d', '--name', 'loud', '--health-cmd', 'head -c 5000 /dev/zero | tr "\\0" a', '--health-interval', '200ms', 'busybox', 'sleep', '1000']);
  const h = await eventually(async () => {
    const v = await health('loud');
    return v?.Status === 'healthy' ? v : undefined;
  }, 10_000, 'healthy');
  assert.equal(h.Log[0]?.Output, 'a'.repeat(4096) + '...');
  assert.equal((await ok(['inspect', '--format', '{{.State.Health.Status}}', 'loud'])).trim(), 'healthy');
  await ok(['rm', '-f', 'loud']);
});

test("an image's HEALTHCHECK applies; --health-* override its timings; --no-healthcheck turns it off", async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-health-build-'));
  try {
    await fsp.writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox\nHEALTHCHECK --interval=200ms --retries=1 CMD ["sh", "-c", "echo from-image; exit 0"]\n');
    await ok(['build', '-q', '-t', 'checked', dir]);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
  await ok(['run', '-d', '--name', 'img', 'checked', 'sleep', '1000']);
  const h = await eventually(async () => {
    const v = await health('img');
    return v?.Status === 'healthy' ? v : undefined;
  }, 10_000, 'healthy from the image');
  assert.equal(h.Log[0]?.Output, 'from-image\n');
  const [img] = JSON.parse(await ok(['inspect', 'img'])) as ContainerInspect[];
  assert.deepEqual(img?.Config.Healthcheck, { Test: ['CMD', 'sh', '-c', 'echo from-image; exit 0'], Interval: 2e8, Timeout: 30e9, StartPeriod: 0, StartInterval: 5e9, Retries: 1 });

  // An empty --health-cmd keeps the image's test; the interval given replaces the image's.
  await ok(['create', '--name', 'slow', '--health-interval', '1h', 'checked', 'sleep', '1000']);
  const [slow] = JSON.parse(await ok(['inspect', 'slow'])) as ContainerInspect[];
  assert.equal(slow?.State.Health, undefined, 'no Health before the first start');
  assert.deepEqual([slow?.Config.Healthcheck?.Test[0], slow?.Config.Healthcheck?.Interval, slow?.Config.Healthcheck?.Retries], ['CMD', 3600e9, 1]);
  await ok(['start', 'slow']);
  await new Promise((r) => setTimeout(r, 800));
  assert.deepEqual(await health('slow'), { Status: 'starting', FailingStreak: 0, Log: [] }, 'the first probe waits an interval');

  await ok(['run', '-d', '--name', 'off', '--no-healthcheck', 'checked', 'sleep', '1000']);
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(await health('off'), undefined);
  assert.match(await psStatus('off'), /^Up [^(]*$/);
  assert.match(await ok(['ps', '--filter', 'health=none', '--format', '{{.Names}}']), /^off$/m);
  assert.match((await sb.cove(['ps', '--filter', 'health=fine'])).stderr, /Unrecognised filter value for health: fine/);
  await ok(['rm', '-f', 'img', 'slow', 'off']);
});

test('bad health flags are refused before anything is created', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--no-healthcheck', '--health-cmd', 'true'], /--no-healthcheck conflicts with --health-\* options/],
    [['--health-interval', '10'], /invalid argument "10" for "--health-interval"/],
    [['--health-retries', '-1'], /--health-retries cannot be negative/],
    [['--health-cmd', 'true', '--health-timeout', '10us'], /timeout must be at least 1ms/],
  ];
  for (const [flags, message] of cases) {
    const r = await sb.cove(['create', '--name', 'bad', ...flags, 'busybox', 'true']);
    assert.notEqual(r.code, 0, flags.join(' '));
    assert.match(r.stderr, message);
  }
  assert.equal((await ok(['ps', '-aq'])).trim(), '');
});

test('a foreground run has its probes too and ends with its container; cove events names the change', async () => {
  const events = sb.spawnCove(['events']);
  let seen = '';
  events.stdout?.on('data', (d: Buffer) => (seen += d.toString()));
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const fg = sb.spawnCove(['run', '--name', 'fg', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sh', '-c', 'sleep 2; echo done']);
    let out = '';
    fg.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const code = new Promise<number | null>((resolve) => fg.on('close', (c) => resolve(c)));
    await eventually(async () => (await health('fg').catch(() => undefined))?.Status === 'healthy', 10_000, 'healthy while in the foreground');
    // The prober holds none of the run's output pipes: the run ends with the container.
    assert.equal(await code, 0);
    assert.equal(out, 'done\n');
    const [view] = JSON.parse(await ok(['inspect', 'fg'])) as ContainerInspect[];
    assert.ok(Date.now() - Date.parse(view?.State.FinishedAt ?? '') < 3000, 'the run returned right after the exit');
    const id = view?.Id ?? '';
    await eventually(() => seen.includes(`container health_status: healthy ${id}`), 10_000, `the event in: ${seen}`);
  } finally {
    events.kill('SIGTERM');
  }
  await ok(['rm', '-f', 'fg']);
});
