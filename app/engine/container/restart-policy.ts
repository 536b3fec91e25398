import type { ContainerRecord, ContainerStatus } from './container-store.js';

/** Whether the restart policy wants `rec` started again after exiting with `exitCode`. */
export function wantsRestart(rec: ContainerRecord, exitCode: number | null): boolean {
  const policy = rec.config?.restart ?? { name: 'no', maxRetries: 0 };
  if (rec.stoppedByUser) return false;
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (policy.maxRetries === 0 || rec.restartCount < policy.maxRetries);
    default:
      return false;
}
  }
/** docker's restart delay: 100 ms, doubling with each restart, at most a minute. */
export function restartDelayMs(restartCount: number): number {
  return Math.min(60_000, 100 * 2 ** restartCount);
}

/** How long past the policy's delay an exited container still counts as on its way back up (the exit command, then the monitor). */
const RESTART_GRACE_MS = 10_000;

/**
 * docker's "Restarting": exited, and the policy will start it again within
 * its back-off delay. A container whose restart is overdue (no exit command
 * ran, e.g. after a reboot) is shown as the Exited it is.
 */
export function isRestarting(rec: ContainerRecord, s: ContainerStatus, now = Date.now()): boolean {
  if (s.state !== 'exited' || !s.finishedAt || !wantsRestart(rec, s.exitCode)) return false;
  return now - Date.parse(s.finishedAt) <= restartDelayMs(rec.restartCount) + RESTART_GRACE_MS;
}
