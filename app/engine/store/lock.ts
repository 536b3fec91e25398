import fs from 'node:fs/promises';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, isNodeError } from '../errors.js';
import { pidAlive } from './pid-alive.js';

/**
 * A lock file holding the owner's pid. The GUI and the CLI may update the
 * store at the same time; a lock left by a killed process is taken over
 * once its pid is gone, so kill -9 never wedges the store. The pid is
 * written to a temp file first and the lock made with link(2), which fails
 * if the lock exists: a lock file never exists without its pid (an empty
 * one, from a kill between open and write, could never be taken over).
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  await fs.writeFile(temp, String(process.pid), { mode: 0o600 });
  try {
    for (;;) {
      try {
        await fs.link(temp, file);
        break;
      } catch (err) {
        if (!isNodeError(err, 'EEXIST')) throw err;
        const text = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
        const owner = Number(text);
        if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
          // Take it over only if it is still the dead owner's (another waiter may have been first).
          const again = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
          if (again === text) await fs.rm(file, { force: true });
          continue;
        }
        if (text === '' && (await staleEmpty(file))) {
          // Written by an older Cove that could leave it empty; nobody can own it.
          await fs.rm(file, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new EngineError('E_STORE_LOCKED', `the store is locked by process ${owner || 'unknown'} (${file}); wait for it to finish`);
        }
        await sleep(20);
      }
    }
  } finally {
    await fs.rm(temp, { force: true });
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}

async function staleEmpty(file: string): Promise<boolean> {
  const st = await fs.stat(file).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > 2000;
}
