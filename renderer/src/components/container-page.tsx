import { Suspense, lazy, useEffect, useRef, type KeyboardEvent } from 'react';
import { containerTaskKey } from '../store/containers-slice';
import { hashOf, type DetailTab } from '../store/routes';
import { useAppStore } from '../store/use-app-store';
import { EmptyState } from './empty-state';
import { LogsTab } from './logs-tab';
import { OverviewTab } from './overview-tab';
import { PageHeader } from './page-header';
import { StateBadge } from './state-badge';
import { StatsTab } from './stats-tab';

// xterm.js is most of the bundle: it loads with the first Terminal tab, not at startup.
const TerminalTab = lazy(() => import('./terminal-tab').then((m) => ({ default: m.TerminalTab })));

const TABS: Array<{ tab: DetailTab; label: string }> = [
  { tab: 'overview', label: 'Overview' },
  { tab: 'logs', label: 'Logs' },
  { tab: 'stats', label: 'Stats' },
  { tab: 'terminal', label: 'Terminal' },
];

function Tabs({ id, current }: { id: string; current: DetailTab }) {
  const list = useRef<HTMLDivElement>(null);
  // Arrow keys move between tabs (WAI-ARIA tabs pattern, automatic activation).
  const onKeyDown = (e: KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.tab === current);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length];
    if (!next) return;
    window.location.hash = hashOf({ page: 'container', id, tab: next.tab });
    requestAnimationFrame(() => list.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.focus());
  };
  return (
    <div className="tabs" role="tablist" aria-label="Container views" ref={list} onKeyDown={onKeyDown}>
      {TABS.map((t) => (
        <a
          key={t.tab}
          role="tab"
          id={`tab-${t.tab}`}
          aria-selected={t.tab === current}
          aria-controls="tab-panel"
          tabIndex={t.tab === current ? 0 : -1}
          className="tab"
          href={hashOf({ page: 'container', id, tab: t.tab })}
        >
          {t.label}
        </a>
      ))}
    </div>
  );
}

export function ContainerPage({ id, tab }: { id: string; tab: DetailTab }) {
  const container = useAppStore((s) => s.containers.find((c) => c.id === id || c.name === id));
  const status = useAppStore((s) => s.containersStatus);
  const task = useAppStore((s) => (container ? s.tasks[containerTaskKey(container.id)] : undefined));
  const start = useAppStore((s) => s.startContainer);
  const stop = useAppStore((s) => s.stopContainer);
  const restart = useAppStore((s) => s.restartContainer);
  const remove = useAppStore((s) => s.removeContainer);
  const pause = useAppStore((s) => s.pauseContainer);
  const unpause = useAppStore((s) => s.unpauseContainer);
  const kill = useAppStore((s) => s.killContainer);
  const openDialog = useAppStore((s) => s.openDialog);

  // A name in the URL (e.g. from a link typed by hand) becomes the id.
  useEffect(() => {
    if (container && container.id !== id) window.location.replace(hashOf({ page: 'container', id: container.id, tab }));
  }, [container, id, tab]);

  if (!container) {
    if (status !== 'ready') return <p className="loading">Loading…</p>;
    return (
      <section className="page">
        <PageHeader title="Container not found" />
        <EmptyState title="This container does not exist (any more).">
          <a href="#/containers">Back to the containers</a>
        </EmptyState>
      </section>
    );
  }
  const running = container.state === 'running';
  const paused = container.state === 'paused';
  const live = running || paused;
  const busy = task !== undefined;
  return (
    <section className="page page-fill" data-testid="container-page" data-name={container.name} data-state={container.state}>
      <PageHeader title={container.name} subtitle={`${container.image} · ${container.status}`}>
        <StateBadge state={container.state} restarting={container.restarting === true} health={container.health} />
        {busy && (
          <span className="task">
            <span className="spinner" aria-hidden="true" />
            {task}…
          </span>
        )}
        <button type="button" className="button" disabled={busy || running || paused} onClick={() => void start(container.id)}>
          Start
        </button>
        <button type="button" className="button" disabled={busy || !live} onClick={() => void stop(container.id)}>
          Stop
        </button>
        <button type="button" className="button" disabled={busy || !running} onClick={() => void restart(container.id)}>
          Restart
        </button>
        {paused ? (
          <button type="button" className="button" disabled={busy} onClick={() => void unpause(container.id)}>
            Resume
          </button>
        ) : (
          <button type="button" className="button" disabled={busy || !running} onClick={() => void pause(container.id)} title="Freeze every process (SIGSTOP); Resume continues them">
            Pause
          </button>
        )}
        <button type="button" className="button" disabled={busy || !live} onClick={() => void kill(container.id)} title="Send SIGKILL: the processes end at once, without cleanup">
          Kill
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => openDialog({ kind: 'rename', id: container.id })}>
          Rename…
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={busy}
          onClick={() => (live ? openDialog({ kind: 'remove-container', id: container.id, then: 'containers' }) : void remove(container.id).then(() => (window.location.hash = '#/containers')))}
        >
          Remove
        </button>
      </PageHeader>
      <Tabs id={container.id} current={tab} />
      <div className="tab-panel" id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'overview' && <OverviewTab key={`${container.id}:${container.state}:${container.startedAt}:${container.health ?? ''}`} id={container.id} ports={container.ports} running={running} />}
        {tab === 'logs' && <LogsTab key={container.id} id={container.id} name={container.name} />}
        {tab === 'stats' && <StatsTab key={container.id} id={container.id} running={container.state === 'running'} />}
        {tab === 'terminal' && (
          <Suspense fallback={<p className="loading">Loading the terminal…</p>}>
            <TerminalTab key={container.id} container={container} />
          </Suspense>
        )}
      </div>
    </section>
  );
}
