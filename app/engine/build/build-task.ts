// A build as a task of the engine: its events become the task's step list
// (label, CACHED/DONE/ERROR, time, the last lines of output), pushed as
// `task` events like a pull's layers.
import fs from 'node:fs';
import type { BuildParams, BuildStepProgress } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { Task } from '../tasks.js';
import type { BuildEvent, BuildOptions } from './build-types.js';
import type { Builder } from './builder.js';

const OUTPUT_LINES = 50;

export function taskListener(task: Task): (e: BuildEvent) => void {
  const steps = new Map<number, BuildStepProgress>();
  const partial = new Map<number, string>();
  task.update((p) => (p.build = { steps: [], imageId: null }), true);
  return (e) => {
    if (e.type === 'note' || e.type === 'context') return;
    task.update((p) => {
      const build = p.build ?? { steps: [], imageId: null };
      p.build = build;
      if (e.type === 'step') {
        const s: BuildStepProgress = { id: e.id, label: e.label, status: 'running', seconds: null, output: [] };
        steps.set(e.id, s);
        build.steps.push(s);
        return;
      }
      const s = steps.get(e.id);
      if (!s) return;
      if (e.type === 'output') {
        const lines = ((partial.get(e.id) ?? '') + e.text).split(/\r?\n/);
        partial.set(e.id, lines.pop() ?? '');
        s.output.push(...lines);
        s.output.splice(0, Math.max(0, s.output.length - OUTPUT_LINES));
      } else if (e.type === 'cached') s.status = 'cached';
      else if (e.type === 'done') {
        s.status = 'done';
        s.seconds = e.seconds;
      } else if (e.type === 'failed') {
        s.status = 'failed';
        s.output.push(e.message);
      }
    }, e.type !== 'output');
  };
}

/** The API's build parameters as the builder's options; the context is a directory or tar file on this host. */
export function buildOptionsFrom(p: BuildParams, signal: AbortSignal): BuildOptions {
  const st = fs.statSync(p.context, { throwIfNoEntry: false });
  if (!st) throw new EngineError('E_INVALID_ARGUMENT', `the build context ${p.context} does not exist on the engine's host`);
  return {
    context: st.isDirectory() ? { kind: 'dir', path: p.context } : { kind: 'tar', stream: fs.createReadStream(p.context) },
    ...(p.dockerfile ? { dockerfile: { path: p.dockerfile } } : {}),
    tags: p.tags ?? [],
    buildArgs: p.buildArgs ?? {},
    ...(p.target ? { target: p.target } : {}),
    noCache: p.noCache ?? false,
    pull: p.pull ?? false,
    labels: p.labels ?? {},
    signal,
  };
}

export async function runBuildTask(builder: Builder, task: Task, p: BuildParams): Promise<void> {
  const onEvent = taskListener(task);
  const result = await builder.build({ ...buildOptionsFrom(p, task.signal), onEvent });
  task.update((pr) => {
    if (pr.build) pr.build.imageId = result.id;
  }, true);
}
