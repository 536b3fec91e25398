import crypto from 'node:crypto';
import type { LayerProgress, TaskKind, TaskProgress } from '../api/contract.js';
import { EngineError, toApiError } from './errors.js';

const KEEP_FINISHED = 50;
const EMIT_INTERVAL_MS = 100;

/** One long piece of work; its progress is pushed as `task` events, throttled. */
export class Task {
  readonly controller = new AbortController();
  private lastEmit = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly progress: TaskProgress,
    private readonly emit: (task: TaskProgress) => void,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  setLayers(layers: LayerProgress[]): void {
    this.progress.layers = layers;
    this.recompute();
  }

  layer(digest: string, change: Partial<LayerProgress>): void {
    const l = this.progress.layers.find((x) => x.digest === digest);
    // A layer changing state (downloading, extracting, done) is always sent;
    // only byte counts are throttled, so a fast pull still shows its steps.
    const newState = l !== undefined && change.status !== undefined && change.status !== l.status;
    if (l) Object.assign(l, change);
    this.recompute(newState);
  }

  /** Changes fields other than layers (a build's steps) and sends them, throttled unless `force`. */
  update(change: (progress: TaskProgress) => void, force = false): void {
    change(this.progress);
    if (force) this.flush();
    else this.schedule();
  }

  private recompute(force = false): void {
    const p = this.progress;
    p.current = p.layers.reduce((s, l) => s + l.current, 0);
    const sizes = p.layers.map((l) => l.size);
    p.total = sizes.every((s): s is number => s !== null) ? sizes.reduce((a, b) => a + b, 0) : null;
    const elapsed = (Date.now() - Date.parse(p.startedAt)) / 1000;
    const rate = elapsed > 0.5 ? p.current / elapsed : 0;
    p.etaSeconds = p.total !== null && rate > 0 ? Math.max(0, Math.round((p.total - p.current) / rate)) : null;
    if (force) this.flush();
    else this.schedule();
  }

  /** Emits at most every EMIT_INTERVAL_MS, and always the last state. */
  private schedule(): void {
    const now = Date.now();
    if (now - this.lastEmit >= EMIT_INTERVAL_MS) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), EMIT_INTERVAL_MS - (now - this.lastEmit));
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastEmit = Date.now();
    this.emit(structuredClone(this.progress));
  }

  finish(state: 'done' | 'failed' | 'cancelled', error?: unknown): void {
    this.progress.state = state;
    this.progress.finishedAt = new Date().toISOString();
    this.progress.etaSeconds = null;
    if (error !== undefined) this.progress.error = toApiError(error);
    this.flush();
  }
}

/** The task centre: running and recently finished tasks of this engine. */
export class TaskRegistry {
  private readonly tasks = new Map<string, Task>();
  constructor(private readonly emit: (task: TaskProgress) => void) {}

  create(kind: TaskKind, title: string): Task {
    const progress: TaskProgress = {
      id: crypto.randomBytes(8).toString('hex'),
      kind,
      title,
      state: 'running',
      layers: [],
      current: 0,
      total: null,
      etaSeconds: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
    const task = new Task(progress, this.emit);
    this.tasks.set(progress.id, task);
    this.prune();
    return task;
  }

  /** Runs `work` as the task; settles the task from its outcome. */
  run(task: Task, work: (task: Task) => Promise<void>): Promise<void> {
    return work(task).then(
      () => task.finish('done'),
      (err: unknown) => task.finish(task.signal.aborted ? 'cancelled' : 'failed', err),
    );
  }

  list(): TaskProgress[] {
    return [...this.tasks.values()].map((t) => structuredClone(t.progress));
  }

  cancel(id: string): TaskProgress {
    const task = this.tasks.get(id);
    if (!task) throw new EngineError('E_INVALID_ARGUMENT', `no task ${id}`);
    if (task.progress.state === 'running') task.controller.abort(new EngineError('E_INVALID_ARGUMENT', 'cancelled'));
    return structuredClone(task.progress);
  }

  private prune(): void {
    const finished = [...this.tasks.values()].filter((t) => t.progress.state !== 'running');
    for (const t of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.tasks.delete(t.progress.id);
  }
}
