import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { flockAddon, withLock } from './lock.js';
import { EngineError } from '../errors.js';

const lockModule = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lock.ts');

/** Another process that takes the lock through withLock and holds it until killed. */
async function holder(file: string): Promise<ChildProcess> {
  const script = `const { withLock } = await import(${JSON.stringify(lockModule)});
await withLock(${JSON.stringify(file)}, async () => { process.stdout.write('locked\\n'); await new Promise(() => setInterval(() => undefined, 1000)); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  return child;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lock-test-'));
}

test('the lock serialises holders in one process and leaves only the lock file', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'x.lock');
    const order: string[] = [];
    await Promise.all([
      withLock(file, async () => {
        order.push('a1');
        await new Promise((r) => setTimeout(r, 30));
        order.push('a2');
      }),
      withLock(file, async () => {
        order.push('b');
      }),
    ]);
    assert.ok(order.join() === 'a1,a2,b' || order.join() === 'b,a1,a2', order.join());
    assert.deepEqual(fs.readdirSync(dir), ['x.lock']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a live holder in another process makes waiters time out with E_STORE_LOCKED; kill -9 of it frees the lock at once', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'x.lock');
    const child = await holder(file);
    await assert.rejects(withLock(file, async () => undefined, 200), (err: unknown) => err instanceof EngineError && err.code === 'E_STORE_LOCKED');
    // Two waiters of the same dead holder: never both inside.
    let inside = 0;
    let overlapped = false;
    const waiter = (): Promise<void> =>
      withLock(file, async () => {
        inside++;
        if (inside > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 50));
        inside--;
      }, 10_000);
    const waiting = Promise.all([waiter(), waiter(), waiter()]);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    child.kill('SIGKILL');
    await waiting;
    assert.equal(overlapped, false, 'two waiters held the lock at once');
    assert.ok(Date.now() - t0 < 2000, `the next holder waited ${Date.now() - t0} ms after the kill`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink in place of the lock file is refused, not followed', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'x.lock');
    fs.symlinkSync(path.join(dir, 'elsewhere'), file);
    await assert.rejects(withLock(file, async () => undefined), (err: unknown) => err instanceof EngineError && err.code === 'E_UNSAFE_RUNTIME_DIR');
    assert.equal(fs.existsSync(path.join(dir, 'elsewhere')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the flock(2) addon: one open file description holds the lock, another gets EWOULDBLOCK until it closes', (t) => {
  const addon = flockAddon();
  if (!addon) {
    // native/Makefile builds it only where Node's headers are installed.
    t.skip('cove-flock.node was not built (no node_api.h); locks use flock(1) alone');
    return;
  }
  const dir = tempDir();
  try {
    const file = path.join(dir, 'x.lock');
    const a = fs.openSync(file, 'w');
    const b = fs.openSync(file, 'r');
    assert.equal(addon.tryLock(a), 0);
    assert.equal(addon.tryLock(b), os.constants.errno.EWOULDBLOCK);
    assert.equal(addon.tryLock(a), 0, 'the holder may take it again');
    fs.closeSync(a);
    assert.equal(addon.tryLock(b), 0, 'closing the holder released it');
    fs.closeSync(b);
    assert.throws(() => addon.tryLock(-1), /file descriptor/);
    assert.equal(addon.tryLock(987654), os.constants.errno.EBADF);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
