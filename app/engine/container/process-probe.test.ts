import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { procStartTime } from './proc.js';
import { ProcessProbe } from './process-probe.js';

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

test('a probe follows one process: alive while it runs, gone for good once it is reaped', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid as number;
  const start = procStartTime(pid);
  assert.ok(start);
  const probe = new ProcessProbe();
  const before = openFds();
  assert.equal(probe.alive(pid, start), true);
  assert.equal(openFds(), before + 1, 'the probe holds /proc/PID/stat open');
  assert.equal(probe.alive(pid, start), true);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.equal(probe.alive(pid, start), false);
  assert.equal(openFds(), before, 'the descriptor is closed with the process gone');
  assert.equal(probe.alive(pid, start), false);
});

test('a probe whose recorded start time is not the process that has the pid now says gone (pid reuse)', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid as number;
  try {
    const probe = new ProcessProbe();
    const before = openFds();
    assert.equal(probe.alive(pid, '1'), false);
    assert.equal(openFds(), before);
    // No recorded start (the pid file only): any process with the pid counts, as sameProcessAlive.
    const unrecorded = new ProcessProbe();
    assert.equal(unrecorded.alive(pid, null), true);
    unrecorded.close();
    assert.equal(openFds(), before);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a pid that does not exist is gone', () => {
  // Above /proc/sys/kernel/pid_max's largest value (2^22): never a process.
  assert.equal(new ProcessProbe().alive(4_194_305, null), false);
});

test('with a low descriptor limit, probes hold at most a quarter of it and the rest still answer', () => {
  // A child whose hard limit is 64 (Node cannot raise its soft limit above it): 16 probes may hold a descriptor.
  const code = `
    import { spawn } from 'node:child_process';
    import fs from 'node:fs';
    import { ProcessProbe } from ${JSON.stringify(new URL('./process-probe.ts', import.meta.url).pathname)};
    const children = Array.from({ length: 24 }, () => spawn('sleep', ['30'], { stdio: 'ignore' }));
    const before = fs.readdirSync('/proc/self/fd').length;
    const probes = children.map(() => new ProcessProbe());
    const alive = children.map((c, i) => probes[i].alive(c.pid, null));
    const held = fs.readdirSync('/proc/self/fd').length - before;
    for (const c of children) c.kill('SIGKILL');
    console.log(JSON.stringify({ alive: alive.filter(Boolean).length, held }));
  `;
  const r = spawnSync('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, ...process.execArgv, '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop() as string), { alive: 24, held: 16 });
});
