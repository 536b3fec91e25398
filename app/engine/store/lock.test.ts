import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { withLock } from './lock.js';
import { EngineError } from '../errors.js';

function deadPid(): number {
  // A process that has exited: its pid is free (and not reused within the test).
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

test('the lock serialises, holds the pid, and leaves no temp file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-test-'));
  try {
    const file = path.join(dir, 'x.lock');
    const order: string[] = [];
    await Promise.all([
      withLock(file, async () => {
        assert.equal(fs.readFileSync(file, 'utf8'), String(process.pid));
        order.push('a1');
        await new Promise((r) => setTimeout(r, 30));
        order.push('a2');
      }),
      withLock(file, async () => {
        order.push('b');
      }),
    ]);
    assert.ok(order.join() === 'a1,a2,b' || order.join() === 'b,a1,a2');
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock of a dead process, or an old empty one, is taken over; a live one times out', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-test-'));
  try {
    const file = path.join(dir, 'x.lock');
    fs.writeFileSync(file, String(deadPid()));
    assert.equal(await withLock(file, async () => 'took over'), 'took over');
    fs.writeFileSync(file, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    assert.equal(await withLock(file, async () => 'empty taken'), 'empty taken');
    fs.writeFileSync(file, '1');
    await assert.rejects(withLock(file, async () => undefined, 100), (err: unknown) => err instanceof EngineError && err.code === 'E_STORE_LOCKED');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
