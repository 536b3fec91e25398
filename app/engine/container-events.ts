// The store watcher sees that a container's files changed, not why. Docker's
// `events` name the action (start, die, stop, pause, rename, destroy), so the
// watcher's change is compared with what was last seen of the container and
// named after the difference.
import type { ContainerAction, ContainerState, HealthStatus } from '../api/contract.js';

export interface ContainerSnapshot {
  state: ContainerState;
  name: string;
  startedAt: string | null;
  /** Down between two runs of its restart policy (docker's "Restarting"). */
  restarting?: boolean;
  /** Its healthcheck's status while it runs. */
  health?: HealthStatus;
  /** Exited because the kernel's OOM killer ended it (docker emits "oom" before "die"). */
  oomKilled?: boolean;
}

export class ContainerEventDeriver {
  private readonly known = new Map<string, ContainerSnapshot | null>();

  constructor(private readonly read: (id: string) => Promise<ContainerSnapshot | null>) {}

  /** Remembers the current state of every container, so the first change is named right. */
  async prime(ids: string[]): Promise<void> {
    for (const id of ids) this.known.set(id, await this.read(id).catch(() => null));
  }

  /** The actions that turn the last snapshot into the current one (possibly none: the change was already reported). */
  async derive(id: string): Promise<ContainerAction[]> {
    const before = this.known.get(id);
    const now = await this.read(id).catch(() => null);
    // null, not deleted: a removed container's later file events are not a second removal.
    this.known.set(id, now);
    return actionsBetween(before, now);
  }

  /** The health last seen, for the `health_status` event. */
  health(id: string): HealthStatus | undefined {
    return this.known.get(id)?.health;
  }

  /** Something in this process already reported a change: take the new state as seen. */
  async note(id: string): Promise<void> {
    this.known.set(id, await this.read(id).catch(() => null));
  }
}

const live = (s: ContainerState) => s === 'running' || s === 'paused';

/** `before` undefined: never seen (a new container, or one from before the watch). */
export function actionsBetween(before: ContainerSnapshot | null | undefined, now: ContainerSnapshot | null): ContainerAction[] {
  // Gone: reported once; never seen at all (a directory being created or removed right now) is nothing yet.
  if (!now) return !before ? [] : live(before.state) ? ['die', 'remove'] : ['remove'];
  if (!before) return now.state === 'running' ? ['create', 'start'] : ['create'];
  const out: ContainerAction[] = [];
  if (before.name !== now.name) out.push('rename');
  if (now.state === 'running' && before.state === 'paused') out.push('unpause');
  else if (now.state === 'paused' && before.state === 'running') out.push('pause');
  else if (live(now.state) && (!live(before.state) || now.startedAt !== before.startedAt)) {
    if (live(before.state)) out.push('die');
    out.push('start');
  } else if (!live(now.state) && live(before.state)) out.push(...(now.oomKilled ? (['oom', 'die'] as const) : (['die'] as const)));
  // A stop while it was down between restarts changes no state, only that it will not come back.
  if (out.length === 0 && Boolean(before.restarting) !== Boolean(now.restarting)) out.push('update');
  // docker reports each change of the probes' verdict, not the reset to `starting` that a start is.
  if (now.health && now.health !== before.health && !(out.includes('start') && now.health === 'starting')) out.push('health_status');
  // Files written on the way to a state (start.json before the process runs,
  // the monitor's own records) are not an action of their own.
  return out;
}
