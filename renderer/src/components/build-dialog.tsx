import { useState, type FormEvent } from 'react';
import type { BuildParams } from '../../../app/api/contract';
import { toCoveApiError } from '../api/errors';
import { useAppStore } from '../store/use-app-store';
import { Modal } from './modal';
import { TaskStartStatus } from './task-progress';
import { useTaskStart } from './use-task-start';

/** `KEY=VALUE` lines (blank lines skipped); a line without `=` is an error the dialog shows. */
export function parseKeyValues(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${what}: "${line}" is not KEY=VALUE`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * Builds an image in the engine as a task: the context and the Dockerfile
 * are paths on the engine's host (in web mode, the machine `cove serve`
 * runs on). Closing the dialog does not stop the build; the task centre
 * keeps its steps.
 */
export function BuildDialog() {
  const build = useAppStore((s) => s.buildImage);
  const close = useAppStore((s) => s.openDialog);
  const [context, setContext] = useState('');
  const [dockerfile, setDockerfile] = useState('');
  const [tags, setTags] = useState('');
  const [firstTag, setFirstTag] = useState<string | null>(null);
  const [args, setArgs] = useState('');
  const [target, setTarget] = useState('');
  const [noCache, setNoCache] = useState(false);
  const { taskId, task, busy, error, start } = useTaskStart();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await start(
      () => {
        const params: BuildParams = {
          context: context.trim(),
          tags: tags.split(/[\s,]+/).filter(Boolean),
          buildArgs: parseKeyValues(args, 'Build arguments'),
          noCache,
          ...(dockerfile.trim() ? { dockerfile: dockerfile.trim() } : {}),
          ...(target.trim() ? { target: target.trim() } : {}),
        };
        setFirstTag(params.tags?.[0] ?? null);
        return build(params);
      },
      // A bad build-argument line is the dialog's own error, not the engine's.
      (reason) => (reason instanceof Error && !('code' in reason) ? { code: 'E_INVALID_ARGUMENT', message: reason.message } : toCoveApiError(reason)),
    );
  };

  return (
    <Modal title="Build an image" onClose={() => close(null)} testId="build-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Context directory (on the engine&apos;s host)</span>
          <input name="context" required value={context} onChange={(e) => setContext(e.target.value)} placeholder="/home/me/project" className="mono" autoComplete="off" />
        </label>
        <label className="field">
          <span>Dockerfile (default: CONTEXT/Dockerfile)</span>
          <input name="dockerfile" value={dockerfile} onChange={(e) => setDockerfile(e.target.value)} placeholder="Dockerfile" className="mono" autoComplete="off" />
        </label>
        <label className="field">
          <span>Tags</span>
          <input name="tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="myapp:latest" className="mono" autoComplete="off" />
        </label>
        <label className="field">
          <span>Build arguments (KEY=VALUE per line)</span>
          <textarea name="build-args" value={args} onChange={(e) => setArgs(e.target.value)} rows={2} className="mono" />
        </label>
        <label className="field">
          <span>Target stage</span>
          <input name="target" value={target} onChange={(e) => setTarget(e.target.value)} className="mono" autoComplete="off" />
        </label>
        <label className="check">
          <input type="checkbox" name="no-cache" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} /> Do not use the cache
        </label>
        <TaskStartStatus taskId={taskId} task={task} error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={() => close(null)}>
            {taskId ? 'Close (keeps building)' : 'Cancel'}
          </button>
          {task?.state === 'done' && task.build?.imageId && (
            <button type="button" className="button" onClick={() => close({ kind: 'run', image: firstTag ?? task.build?.imageId ?? undefined })}>
              Run this image…
            </button>
          )}
          <button type="submit" className="button button-primary" disabled={busy || context.trim() === ''}>
            Build
          </button>
        </div>
      </form>
    </Modal>
  );
}
