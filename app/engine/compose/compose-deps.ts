// What the compose runtime needs from the engine: its own API (so compose
// goes through the same validated paths as every client), its event bus,
// the loader, and the task it reports to.
import type { ApiMethod, ApiParams, ApiResult, ComposeStep, EngineEvent } from '../../api/contract.js';
import type { Task } from '../tasks.js';
import type { ComposeLoadOptions, ComposeLoadResult, ComposeProject } from './model/compose-types.js';

export interface ComposeDeps {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  listen(listener: (event: EngineEvent) => void): () => void;
  /** Keeps container events flowing while held (changes other processes write, e.g. a container's monitor: exits, health); `ready` once they flow. */
  watch(): { release: () => void; ready: Promise<void> };
  load(options: ComposeLoadOptions & { enabledServices?: string[] }): Promise<ComposeLoadResult>;
  render(project: ComposeProject): Promise<string>;
}

/** Reports `resource status` lines on a compose task, one entry per resource, updated in place. */
export class StepReporter {
  constructor(private readonly task: Task | null) {}

  step(resource: string, status: string, error?: string): void {
    this.task?.update((p) => {
      const c = (p.compose ??= { project: '', steps: [] });
      const next: ComposeStep = { resource, status, ...(error ? { error } : {}) };
      const at = c.steps.findIndex((s) => s.resource === resource);
      if (at >= 0) c.steps[at] = next;
      else c.steps.push(next);
    }, true);
  }

  get signal(): AbortSignal | undefined {
    return this.task?.signal;
  }
}
