import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, isNodeError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isNodeError(err, 'EPERM');
  }
}

/**
 * A lock file created with O_EXCL holding the owner's pid. The GUI and the
 * CLI may update the store at the same time; a lock left by a killed process
 * is taken over once its pid is gone, so kill -9 never wedges the store.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if (!isNodeError(err, 'EEXIST')) throw err;
      const owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new EngineError('E_STORE_LOCKED', `the store is locked by process ${owner || 'unknown'} (${file}); wait for it to finish`);
      }
      await sleep(20);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}
