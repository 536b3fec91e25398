import type { ComposeStep, TaskProgress } from '../../../app/api/contract';

/** `Container demo-web-1  Started` lines, as docker compose v2 prints its progress. */
export function ComposeSteps({ steps }: { steps: ComposeStep[] }) {
  if (steps.length === 0) return null;
  return (
    <ul className="compose-steps mono" aria-live="polite">
      {steps.map((s) => (
        <li key={s.resource} data-testid="compose-step" data-resource={s.resource} data-status={s.status}>
          <span className="compose-step-resource">{s.resource}</span> <span className={s.error ? 'compose-step-error' : 'compose-step-status'}>{s.status}</span>
          {s.error && <span className="compose-step-error"> {s.error}</span>}
        </li>
      ))}
    </ul>
  );
}

/** A compose task's steps as docker compose v2 prints them (`Container demo-web-1  Started`), and its error. */
export function ComposeTaskView({ task }: { task: TaskProgress }) {
  const steps = task.compose?.steps ?? [];
  return (
    <section className="compose-task" data-testid="compose-task" data-state={task.state} aria-label={`${task.title}: ${task.state}`}>
      <header className="task-head">
        <strong className="task-title">{task.title}</strong>
        <span className={`badge badge-task-${task.state}`}>{task.state}</span>
      </header>
      <ComposeSteps steps={steps} />
      {task.error && (
        <p className="inline-error" role="alert" data-testid="compose-task-error">
          <code className="banner-code">{task.error.code}</code>: {task.error.message}
        </p>
      )}
    </section>
  );
}
