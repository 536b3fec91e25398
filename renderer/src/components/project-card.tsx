// One compose project: its actions, its containers by service (state,
// health, published ports, per-service actions), its last task's steps and
// its merged logs.
import { useState } from 'react';
import type { ComposeContainer } from '../../../app/api/contract';
import { projectTaskKey, type ProjectView } from '../store/projects-slice';
import { useAppStore } from '../store/use-app-store';
import { ComposeTaskView } from './compose-task';
import { PortLinks } from './port-links';
import { ProjectLogs } from './project-logs';
import { StateBadge } from './state-badge';
import { TableHeader } from './table-header';

function ServiceRow({ project, container, busy }: { project: ProjectView; container: ComposeContainer; busy: boolean }) {
  const up = useAppStore((s) => s.projectUp);
  const action = useAppStore((s) => s.projectAction);
  const name = project.summary.name;
  const running = container.state === 'running';
  const label = `${container.service} (${container.name})`;
  return (
    <tr data-testid="service-row" data-service={container.service} data-container={container.name} data-state={container.state} data-health={container.health ?? ''}>
      <td>
        <div className="cell-primary">{container.service}</div>
        <div className="cell-secondary mono">{container.name}</div>
      </td>
      <td className="mono">{container.image}</td>
      <td>
        <StateBadge state={container.state} restarting={container.restarting ?? false} health={container.health} />
        <div className="cell-secondary" data-testid="service-status">
          {container.status}
        </div>
      </td>
      <td>
        <PortLinks ports={container.ports} running={running} compact />
      </td>
      <td className="cell-actions">
        {running ? (
          <>
            <button type="button" className="button" disabled={busy} aria-label={`Restart ${label}`} onClick={() => void action(name, 'restart', [container.service])}>
              Restart
            </button>
            <button type="button" className="button" disabled={busy} aria-label={`Stop ${label}`} onClick={() => void action(name, 'stop', [container.service])}>
              Stop
            </button>
          </>
        ) : (
          <button type="button" className="button" disabled={busy} aria-label={`Up ${label}`} onClick={() => void up(project.summary, [container.service])}>
            Up
          </button>
        )}
      </td>
    </tr>
  );
}

export function ProjectCard({ project }: { project: ProjectView }) {
  const { summary, containers } = project;
  const up = useAppStore((s) => s.projectUp);
  const action = useAppStore((s) => s.projectAction);
  const openDialog = useAppStore((s) => s.openDialog);
  const busyLabel = useAppStore((s) => s.tasks[projectTaskKey(summary.name)]);
  const taskId = useAppStore((s) => s.projectTasks[summary.name]);
  const task = useAppStore((s) => (taskId ? s.jobs.find((j) => j.id === taskId) : undefined));
  const [logs, setLogs] = useState(false);
  const busy = busyLabel !== undefined || task?.state === 'running';
  const services = [...containers].sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
  const anyRunning = containers.some((c) => c.state === 'running');
  const n = summary.name;
  return (
    <article className="project-card" data-testid="project" data-name={n} aria-labelledby={`project-${n}`}>
      <header className="project-head">
        <div>
          <h2 id={`project-${n}`} className="project-name">
            {n}
          </h2>
          <div className="cell-secondary">
            <span data-testid="project-status">{summary.status}</span> · <span className="mono">{summary.configFiles.join(', ')}</span>
          </div>
        </div>
        <div className="project-actions">
          <button type="button" className="button" disabled={busy || summary.configFiles.length === 0} aria-label={`Up ${n}`} onClick={() => void up(summary)}>
            Up
          </button>
          <button type="button" className="button" disabled={busy || !anyRunning} aria-label={`Restart ${n}`} onClick={() => void action(n, 'restart')}>
            Restart
          </button>
          <button type="button" className="button" disabled={busy || !anyRunning} aria-label={`Stop ${n}`} onClick={() => void action(n, 'stop')}>
            Stop
          </button>
          <button type="button" className="button button-danger" disabled={busy} aria-label={`Down ${n}`} onClick={() => openDialog({ kind: 'project-down', project: n })}>
            Down…
          </button>
          <button type="button" className="button button-ghost" aria-expanded={logs} aria-label={`Logs of ${n}`} onClick={() => setLogs(!logs)}>
            {logs ? 'Hide logs' : 'Logs'}
          </button>
        </div>
      </header>
      {task && <ComposeTaskView task={task} />}
      <div className="table-wrap">
        <table className="table" aria-label={`Services of ${n}`}>
          <TableHeader columns={['Service', 'Image', 'State', 'Ports']} />
          <tbody>
            {services.map((c) => (
              <ServiceRow key={c.id} project={project} container={c} busy={busy} />
            ))}
          </tbody>
        </table>
      </div>
      {logs && <ProjectLogs project={n} containers={containers} />}
    </article>
  );
}
