import { isNodeError } from '../errors.js';

/** Whether a process exists (kill(2) with signal 0; EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isNodeError(err, 'EPERM');
  }
}
