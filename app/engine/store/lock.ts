import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { EngineError, isNodeError } from '../errors.js';
import { installPaths, NATIVE_ADDON } from '../install-paths.js';

/** flock(1) from util-linux (essential on Debian): Node itself cannot call flock(2). */
const FLOCK = '/usr/bin/flock';
/** flock(1)'s exit status when -w runs out (its -E option). */
const TIMED_OUT = 75;

/**
 * An exclusive flock(2) lock on `file`, held while `fn` runs. flock(2)
 * locks belong to the open file description, which the kernel drops when
 * the last descriptor on it is closed, so a holder killed with SIGKILL
 * releases the lock by dying: no pid file, no takeover race between two
 * waiters of a dead holder, no stale lock for `cove system check`.
 *
 * Node has no flock: the cove-flock.node addon tries flock(LOCK_EX |
 * LOCK_NB) on our descriptor in-process, which is all an uncontended lock
 * costs. When the lock is held (or the addon is missing), a flock(1) child
 * takes it on our descriptor (passed as its fd 3, the same open file
 * description) and exits; the lock stays with our descriptor until we close
 * it. Our descriptor is O_CLOEXEC, so no other child (the container monitor)
 * inherits it. flock(1) waits in the kernel, not by polling.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const handle = await openLockFile(file);
  try {
    await takeLock(handle.fd, file, timeoutMs);
    return await fn();
  } finally {
    // Closing our last descriptor on it releases the lock (flock(2), NOTES).
    await handle.close();
  }
}

async function openLockFile(file: string): Promise<fsp.FileHandle> {
  const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;
  try {
    return await fsp.open(file, flags, 0o600);
  } catch (err) {
    if (isNodeError(err, 'ELOOP')) throw new EngineError('E_UNSAFE_RUNTIME_DIR', `${file} is a symbolic link, not a lock file; remove it`, { cause: err });
    throw err;
  }
}

interface FlockAddon {
  /** 0 when taken, else the errno of flock(fd, LOCK_EX | LOCK_NB). */
  tryLock(fd: number): number;
}

let addon: FlockAddon | null | undefined;

/** The flock(2) addon when it was built and loads in this process; null: every lock goes through flock(1). */
export function flockAddon(): FlockAddon | null {
  if (addon !== undefined) return addon;
  try {
    const loaded: { exports: Partial<FlockAddon> } = { exports: {} };
    process.dlopen(loaded, path.join(installPaths().nativeDir, NATIVE_ADDON));
    addon = typeof loaded.exports.tryLock === 'function' ? (loaded.exports as FlockAddon) : null;
  } catch {
    addon = null;
  }
  return addon;
}

async function takeLock(fd: number, file: string, timeoutMs: number): Promise<void> {
  const fast = flockAddon()?.tryLock(fd);
  if (fast === 0) return;
  if (fast !== undefined && fast !== os.constants.errno.EWOULDBLOCK) {
    const name = Object.entries(os.constants.errno).find(([, n]) => n === fast)?.[0] ?? `errno ${fast}`;
    throw new EngineError('E_INTERNAL', `flock ${file} failed: ${name}`);
  }
  await waitForLock(fd, file, timeoutMs);
}

function waitForLock(fd: number, file: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const seconds = Math.max(0.001, timeoutMs / 1000).toFixed(3);
    const child = spawn(FLOCK, ['--exclusive', '--wait', seconds, '--conflict-exit-code', String(TIMED_OUT), '3'], {
      stdio: ['ignore', 'ignore', 'pipe', fd],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new EngineError('E_INTERNAL', `cannot run ${FLOCK} to lock ${file}: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else if (code === TIMED_OUT) reject(new EngineError('E_STORE_LOCKED', `another Cove process has held ${file} for more than ${Math.round(timeoutMs / 1000)} s; wait for it to finish`));
      else reject(new EngineError('E_INTERNAL', `flock ${file} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}
