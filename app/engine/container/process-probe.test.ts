import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
