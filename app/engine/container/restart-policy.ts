import type { ContainerRecord } from './container-store.js';

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
