// Waiting on other things the engine does: a dependency becoming healthy or
// completing, a nested pull or build task finishing. Each wait listens to
// the engine's events and re-reads the one thing it waits for when an event
// about it arrives.
import type { ContainerSummary, EngineEvent, TaskProgress } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { ComposeDeps } from './compose-deps.js';

export type Outcome<T> = { done: true; value: T } | { done: false };

/** Resolves when `check` says done; `check` runs at once and on each event `relevant` accepts. */
export function waitUntil<T>(deps: ComposeDeps, relevant: (e: EngineEvent) => boolean, check: () => Promise<Outcome<T>>, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let running = false;
    let again = false;
    const { release, ready } = deps.watch();
    const stop = deps.listen((e) => {
      if (relevant(e)) void run();
    });
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      stop();
      release();
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => finish(() => reject(new EngineError('E_CANCELLED', 'cancelled')));
    signal?.addEventListener('abort', onAbort);
    const run = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const r = await check();
          if (r.done) return finish(() => resolve(r.value));
        } while (again && !settled);
      } catch (err) {
        finish(() => reject(err));
      } finally {
        running = false;
      }
    };
    // The first look once the store watcher runs: a change written before that is seen by this look, any later one by an event.
    void ready.then(run);
  });
}

export async function containerSummary(deps: ComposeDeps, id: string): Promise<ContainerSummary | undefined> {
  return (await deps.call('containers:list', { all: true })).find((c) => c.id === id);
}

const aboutContainer = (id: string) => (e: EngineEvent) => e.type === 'container' && (e.id === id || e.id === '');

/**
 * Until the container's healthcheck passes; an unhealthy or stopped
 * container fails the wait. Without a healthcheck: `--wait` takes running
 * as ready, a service_healthy dependency is an error (as docker compose:
 * "container X has no healthcheck configured").
 */
export function waitHealthy(deps: ComposeDeps, id: string, name: string, signal?: AbortSignal, requireCheck = false): Promise<ContainerSummary> {
  let checked: boolean | undefined;
  return waitUntil<ContainerSummary>(deps, aboutContainer(id), async () => {
    const c = await containerSummary(deps, id);
    if (!c) throw new EngineError('E_CONTAINER_NOT_FOUND', `container ${name} was removed`);
    if (c.state === 'exited') throw new EngineError('E_RUNTIME_FAILED', `container ${name} exited (${c.exitCode ?? '?'})`);
    if (c.health === 'unhealthy') throw new EngineError('E_RUNTIME_FAILED', `container ${name} is unhealthy`);
    if (c.health === 'healthy') return { done: true, value: c };
    if (c.health === undefined && c.state === 'running') {
      checked ??= await hasHealthcheck(deps, id);
      if (!checked) {
        if (requireCheck) throw new EngineError('E_COMPOSE_INVALID', `container ${name} has no healthcheck configured`);
        return { done: true, value: c };
      }
    }
    return { done: false };
  }, signal);
}

async function hasHealthcheck(deps: ComposeDeps, id: string): Promise<boolean> {
  const i = await deps.call('containers:inspect', { id });
  return i.State.Health !== undefined;
}

/** Until the container exits; exit code 0 or it fails (service_completed_successfully). */
export function waitCompleted(deps: ComposeDeps, id: string, name: string, signal?: AbortSignal): Promise<ContainerSummary> {
  return waitUntil<ContainerSummary>(deps, aboutContainer(id), async () => {
    const c = await containerSummary(deps, id);
    if (!c) throw new EngineError('E_CONTAINER_NOT_FOUND', `container ${name} was removed`);
    if (c.state !== 'exited' || c.restarting) return { done: false };
    if (c.exitCode !== 0) throw new EngineError('E_RUNTIME_FAILED', `container ${name} exited with code ${c.exitCode ?? '?'}`);
    return { done: true, value: c };
  }, signal);
}

/** Until a task of this engine ends; a failed task rejects with its error. */
export async function awaitTask(deps: ComposeDeps, start: () => Promise<{ taskId: string }>, signal?: AbortSignal): Promise<TaskProgress> {
  // The listener is there before the task starts, so its end cannot be missed.
  const ended = new Map<string, TaskProgress>();
  const waiters = new Map<string, (t: TaskProgress) => void>();
  const stop = deps.listen((e) => {
    if (e.type !== 'task' || e.task.state === 'running') return;
    ended.set(e.task.id, e.task);
    waiters.get(e.task.id)?.(e.task);
  });
  try {
    const { taskId } = await start();
    const onAbort = (): void => void deps.call('tasks:cancel', { id: taskId }).catch(() => undefined);
    signal?.addEventListener('abort', onAbort);
    const t =
      ended.get(taskId) ??
      (await new Promise<TaskProgress>((resolve) => {
        waiters.set(taskId, resolve);
        void deps.call('tasks:list', {}).then((all) => {
          const done = all.find((x) => x.id === taskId && x.state !== 'running');
          if (done) resolve(done);
        });
      }));
    signal?.removeEventListener('abort', onAbort);
    if (t.state !== 'done') throw new EngineError(t.error?.code ?? 'E_INTERNAL', t.error?.message ?? `${t.kind} ${t.title} ${t.state}`);
    return t;
  } finally {
    stop();
  }
}
