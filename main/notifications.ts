// Which desktop notifications an engine event deserves (issue 6: a pull
// finished, a container exited non-zero). Pure, so it is unit-tested.
import type { ContainerSummary, EngineEvent } from '../app/api/contract.js';

export interface NotificationSpec {
  title: string;
  body: string;
  /** Where a click takes the window (a renderer hash route). */
  hash: string;
}

export function taskNotification(event: EngineEvent): NotificationSpec | null {
  if (event.type !== 'task' || event.task.kind !== 'pull') return null;
  const { task } = event;
  if (task.state === 'done') return { title: 'Pull finished', body: task.title, hash: '#/images' };
  if (task.state === 'failed') return { title: 'Pull failed', body: `${task.title}: ${task.error?.message ?? 'unknown error'} (${task.error?.code ?? 'E_INTERNAL'})`, hash: '#/tasks' };
  return null;
}

/** Containers that were running before and have now exited with a non-zero code. */
export function exitNotifications(before: ContainerSummary[], after: ContainerSummary[]): NotificationSpec[] {
  const wasRunning = new Set(before.filter((c) => c.state === 'running').map((c) => c.id));
  return after
    .filter((c) => wasRunning.has(c.id) && c.state === 'exited' && c.exitCode !== null && c.exitCode !== 0)
    .map((c) => ({ title: `${c.name} exited with code ${c.exitCode}`, body: c.image, hash: `#/containers/${c.id}/logs` }));
}
