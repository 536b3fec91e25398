import type { LayerProgress, TaskProgress } from '../../../app/api/contract';
import { formatBytes } from '../format/bytes';
import { shortId } from '../format/ids';
import { useAppStore } from '../store/use-app-store';
import { ComposeSteps } from './compose-task';
import { ErrorMessage } from './modal';

function percent(current: number, total: number | null): number | null {
  return total && total > 0 ? Math.min(100, Math.round((current / total) * 100)) : null;
}

function Bar({ current, total, label }: { current: number; total: number | null; label: string }) {
  const pct = percent(current, total);
  return (
    <progress className="bar" max={total ?? undefined} value={total ? current : undefined} aria-label={label}>
      {pct === null ? '' : `${pct}%`}
    </progress>
  );
}

function LayerRow({ layer }: { layer: LayerProgress }) {
  const bytes = layer.size !== null ? `${formatBytes(layer.current)} / ${formatBytes(layer.size)}` : formatBytes(layer.current);
  return (
    <li className="layer" data-testid="layer-progress" data-digest={layer.digest} data-status={layer.status} data-current={layer.current}>
      <span className="mono layer-digest">{shortId(layer.digest.replace(/^sha256:/, ''))}</span>
      <span className="layer-status">{layer.status}</span>
      <Bar current={layer.current} total={layer.size} label={`layer ${shortId(layer.digest)}`} />
      <span className="num layer-bytes">{bytes}</span>
    </li>
  );
}

export function TaskProgressView({ task, onCancel }: { task: TaskProgress; onCancel?: () => void }) {
  const eta = task.etaSeconds !== null ? ` · about ${task.etaSeconds}s left` : '';
  return (
    <article className="task-card" data-testid="task" data-task-id={task.id} data-state={task.state} aria-label={`${task.kind} ${task.title}`}>
      <header className="task-head">
        <span className="task-kind">{task.kind}</span>
        <strong className="task-title">{task.title}</strong>
        <span className={`badge badge-task-${task.state}`}>{task.state}</span>
        {task.state === 'running' && onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </header>
      {/* A compose task counts resources, not bytes: its steps say where it is. */}
      {task.compose ? (
        <ComposeSteps steps={task.compose.steps} />
      ) : (
        <div className="task-total">
          <Bar current={task.current} total={task.total} label={`${task.kind} ${task.title}`} />
          <span className="num">
            {formatBytes(task.current)}
            {task.total !== null ? ` / ${formatBytes(task.total)}` : ''}
            {eta}
          </span>
        </div>
      )}
      {task.error && (
        <p className="inline-error" role="alert">
          <code className="banner-code">{task.error.code}</code>: {task.error.message}
        </p>
      )}
      {task.build && task.build.steps.length > 0 && (
        <ol className="build-steps" aria-label="Build steps">
          {task.build.steps.map((st) => (
            <li key={st.id} className="build-step" data-testid="build-step" data-status={st.status}>
              <span className="mono">{st.label}</span> <span className={`badge badge-task-${st.status === 'failed' ? 'failed' : st.status === 'running' ? 'running' : 'done'}`}>{st.status === 'cached' ? 'CACHED' : st.status === 'done' ? `${(st.seconds ?? 0).toFixed(1)}s` : st.status}</span>
              {st.output.length > 0 && st.status !== 'cached' && <pre className="mono build-output">{st.output.join('\n')}</pre>}
            </li>
          ))}
        </ol>
      )}
      {task.build?.imageId && (
        <p className="muted" data-testid="build-image">
          Image <code>{shortId(task.build.imageId.replace(/^sha256:/, ''))}</code>
        </p>
      )}
      {task.layers.length > 0 && (
        <ul className="layers" aria-label="Layers">
          {task.layers.map((l) => (
            <LayerRow key={l.digest} layer={l} />
          ))}
        </ul>
      )}
    </article>
  );
}

/**
 * Under a dialog that starts a task (pull, build): why the start failed, the
 * task's progress with its Cancel, or "Starting…" until the task shows up.
 */
export function TaskStartStatus({ taskId, task, error }: { taskId: string | null; task: TaskProgress | undefined; error: { code: string; message: string } | null }) {
  const cancel = useAppStore((s) => s.cancelJob);
  return (
    <>
      <ErrorMessage error={error} />
      {task && <TaskProgressView task={task} onCancel={() => void cancel(task.id)} />}
      {taskId && !task && <p className="muted">Starting…</p>}
    </>
  );
}
