import { useEffect } from 'react';
import { formatBytes } from '../format/bytes';
import { containerTaskKey } from '../store/containers-slice';
import { hashOf } from '../store/routes';
import { useAppStore } from '../store/use-app-store';
import { EmptyState } from './empty-state';
import { MachinesPanel } from './machines-panel';
import { PageHeader } from './page-header';
import { TaskProgressView } from './task-progress';

function Stat({ label, value, hint, href }: { label: string; value: string; hint?: string; href?: string }) {
  const body = (
    <>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
      {hint && <span className="stat-hint muted">{hint}</span>}
    </>
  );
  return href ? (
    <a className="stat card" href={href}>
      {body}
    </a>
  ) : (
    <div className="stat card">{body}</div>
  );
}

/**
 * What runs now, what it costs (CPU and memory from the engine's samples),
 * and quick actions on it: the same actions as the tray, for desktops
 * without one.
 */
export function DashboardPage() {
  const containers = useAppStore((s) => s.containers);
  const images = useAppStore((s) => s.images);
  const jobs = useAppStore((s) => s.jobs);
  const tasks = useAppStore((s) => s.tasks);
  const stop = useAppStore((s) => s.stopContainer);
  const restart = useAppStore((s) => s.restartContainer);
  const openDialog = useAppStore((s) => s.openDialog);
  const cancel = useAppStore((s) => s.cancelJob);
  const diskUsage = useAppStore((s) => s.diskUsage);
  const fetchDiskUsage = useAppStore((s) => s.fetchDiskUsage);
  // Re-measured whenever the image list changes (a pull, a load, a removal).
  useEffect(() => void fetchDiskUsage(), [images, fetchDiskUsage]);
  const running = containers.filter((c) => c.state === 'running');
  const failed = containers.filter((c) => c.state === 'exited' && c.exitCode !== null && c.exitCode !== 0);
  const active = jobs.filter((j) => j.state === 'running');
  const stats = useAppStore((s) => s.stats);
  const sampled = running.filter((c) => stats[c.id]);
  const cpu = sampled.reduce((sum, c) => sum + (stats[c.id]?.cpuPercent ?? 0), 0);
  const memory = sampled.reduce((sum, c) => sum + (stats[c.id]?.memoryBytes ?? 0), 0);
  // Busiest first, by CPU then memory.
  const ordered = [...running].sort((a, b) => (stats[b.id]?.cpuPercent ?? -1) - (stats[a.id]?.cpuPercent ?? -1) || (stats[b.id]?.memoryBytes ?? 0) - (stats[a.id]?.memoryBytes ?? 0));
  return (
    <section className="page" data-testid="dashboard">
      <PageHeader title="Dashboard">
        <button type="button" className="button" onClick={() => openDialog({ kind: 'pull' })}>
          Pull…
        </button>
        <button type="button" className="button button-primary" onClick={() => openDialog({ kind: 'run' })}>
          Run…
        </button>
      </PageHeader>
      <div className="stats">
        <Stat label="running" value={String(running.length)} hint={`of ${containers.length} containers`} href="#/containers" />
        <Stat label="CPU (all containers)" value={sampled.length ? `${cpu.toFixed(1)}%` : '—'} hint={sampled.length ? '100% = one core' : 'no samples yet'} />
        <Stat label="memory in use" value={sampled.length ? formatBytes(memory) : '—'} hint={sampled.length ? `${sampled.length} sampled` : 'no samples yet'} />
        <Stat label="exited with an error" value={String(failed.length)} href="#/containers" />
        <Stat label="images" value={String(images.length)} hint={diskUsage ? `${formatBytes(diskUsage.images.size)} on disk` : '…'} href="#/images" />
        <Stat label="tasks running" value={String(active.length)} href="#/tasks" />
      </div>
      <MachinesPanel />
      <h2 className="section-title">Running containers, busiest first</h2>
      {running.length === 0 ? (
        <EmptyState title="Nothing is running.">
          Press <strong>Run…</strong> to start a container from an image, or start a stopped one from the <a href="#/containers">list of containers</a>.
        </EmptyState>
      ) : (
        <ul className="quick-list" aria-label="Running containers">
          {ordered.map((c) => {
            const busy = tasks[containerTaskKey(c.id)] !== undefined;
            return (
              <li key={c.id} className="quick card" data-testid="quick-container" data-name={c.name}>
                <a className="quick-name" href={hashOf({ page: 'container', id: c.id, tab: 'overview' })}>
                  {c.name}
                </a>
                <span className="muted quick-meta">
                  {c.image} · {c.status}
                </span>
                <span className="num quick-usage" data-testid="quick-usage">
                  {stats[c.id] ? `${stats[c.id]?.cpuPercent.toFixed(1)}% · ${formatBytes(stats[c.id]?.memoryBytes ?? 0)}` : ''}
                </span>
                <span className="quick-actions">
                  <a className="button" href={hashOf({ page: 'container', id: c.id, tab: 'terminal' })}>
                    Shell
                  </a>
                  <a className="button" href={hashOf({ page: 'container', id: c.id, tab: 'logs' })}>
                    Logs
                  </a>
                  <button type="button" className="button" disabled={busy} onClick={() => void restart(c.id)}>
                    Restart
                  </button>
                  <button type="button" className="button" disabled={busy} onClick={() => void stop(c.id)}>
                    Stop
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {active.length > 0 && (
        <>
          <h2 className="section-title">Tasks</h2>
          {active.map((t) => (
            <TaskProgressView key={t.id} task={t} onCancel={() => void cancel(t.id)} />
          ))}
        </>
      )}
    </section>
  );
}
