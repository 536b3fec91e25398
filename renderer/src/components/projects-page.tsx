// Compose projects (found by their containers' labels, so projects started
// by `cove compose` or `docker compose` alike), and a compose file opened by
// its path on the engine's host and brought up with its progress.
import { useEffect, useState } from 'react';
import { errorShape } from '../api/errors';
import { useAppStore } from '../store/use-app-store';
import { ComposeTaskView } from './compose-task';
import { EmptyState } from './empty-state';
import { ErrorMessage } from './modal';
import { PageHeader } from './page-header';
import { ProjectCard } from './project-card';

function OpenFileForm() {
  const open = useAppStore((s) => s.openComposeFile);
  const taskId = useAppStore((s) => s.projectTasks['']);
  const task = useAppStore((s) => (taskId ? s.jobs.find((j) => j.id === taskId) : undefined));
  const [file, setFile] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await open(file.trim());
    } catch (reason) {
      setError(errorShape(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="compose-open">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <input
          className="compose-path mono"
          aria-label="Compose file path"
          placeholder="/path/to/compose.yaml (on the engine's host)"
          value={file}
          onChange={(e) => setFile(e.target.value)}
          required
          pattern="/.*"
          title="An absolute path on the engine's host"
        />
        <button type="submit" className="button button-primary" disabled={busy || file.trim() === '' || task?.state === 'running'}>
          Open and up
        </button>
      </form>
      <ErrorMessage error={error} />
      {task && <ComposeTaskView task={task} />}
    </div>
  );
}

export function ProjectsPage() {
  const projects = useAppStore((s) => s.projects);
  const status = useAppStore((s) => s.projectsStatus);
  const fetch = useAppStore((s) => s.fetchProjects);
  useEffect(() => void fetch(), [fetch]);
  let body;
  if (status === 'idle' || status === 'loading') body = <p className="loading">Loading projects…</p>;
  else if (status === 'error') body = <EmptyState title="Could not load projects.">The error above says why.</EmptyState>;
  else if (projects.length === 0)
    body = (
      <EmptyState title="No compose projects.">
        Open a compose file above, or run <code>cove compose up -d</code> in a project directory, and it shows up here.
      </EmptyState>
    );
  else
    body = (
      <div className="project-list">
        {projects.map((p) => (
          <ProjectCard key={p.summary.name} project={p} />
        ))}
      </div>
    );
  return (
    <section className="page">
      <PageHeader title="Projects" subtitle={status === 'ready' ? `${projects.length} compose project${projects.length === 1 ? '' : 's'}` : undefined} />
      <OpenFileForm />
      {body}
    </section>
  );
}
