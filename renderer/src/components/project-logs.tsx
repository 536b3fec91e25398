// A project's containers' logs merged into one view, each line prefixed by
// its container as `docker compose logs` does, with a service filter.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ComposeContainer } from '../../../app/api/contract';
import { errorShape } from '../api/errors';
import { useAppStore } from '../store/use-app-store';
import { ErrorMessage } from './modal';

const MAX_LINES = 5_000;

interface MergedLine {
  time: string;
  service: string;
  container: string;
  stream: string;
  text: string;
}

function useMergedLogs(containers: ComposeContainer[]) {
  const follow = useAppStore((s) => s.followLogs);
  const [lines, setLines] = useState<MergedLine[]>([]);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  // Followed again only when the set of containers changes, not on every list refresh.
  const key = containers.map((c) => c.id).sort().join(',');
  useEffect(() => {
    let live = true;
    const stops: Array<() => void> = [];
    setLines([]);
    for (const c of containers) {
      follow(c.id, 200, (batch) => {
        if (!live || batch.length === 0) return;
        const add = batch.map((l) => ({ time: l.time, service: c.service, container: c.name, stream: l.stream, text: l.text }));
        setLines((prev) => {
          // Lines arrive per container; ordering by time interleaves them as they were written.
          const next = prev.concat(add).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
          return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
        });
      }).then(
        (stop) => (live ? stops.push(stop) : stop()),
        (reason: unknown) => {
          if (live) setError(errorShape(reason));
        },
      );
    }
    return () => {
      live = false;
      for (const stop of stops) stop();
    };
  }, [key, follow]);
  return { lines, error };
}

export function ProjectLogs({ project, containers }: { project: string; containers: ComposeContainer[] }) {
  const { lines, error } = useMergedLogs(containers);
  const services = useMemo(() => [...new Set(containers.map((c) => c.service))].sort(), [containers]);
  const [service, setService] = useState('');
  const shown = service ? lines.filter((l) => l.service === service) : lines;
  const width = Math.max(0, ...containers.map((c) => c.name.length));
  const view = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (view.current) view.current.scrollTop = view.current.scrollHeight;
  }, [shown.length]);
  return (
    <div className="project-logs" data-testid="project-logs">
      <div className="toolbar">
        <label>
          Service{' '}
          <select aria-label={`Service filter for ${project}`} value={service} onChange={(e) => setService(e.target.value)}>
            <option value="">All services</option>
            {services.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {shown.length === 1 ? '1 line' : `${shown.length} lines`}
        </span>
      </div>
      <ErrorMessage error={error} />
      <div className="log-view mono project-log-view" ref={view} tabIndex={0} role="log" aria-label={`Logs of ${project}`}>
        {shown.length === 0 ? (
          <p className="muted log-empty">No output yet.</p>
        ) : (
          shown.map((l, i) => (
            <div key={i} className={`log-line log-${l.stream}`} data-testid="project-log-line" data-service={l.service}>
              <span className="log-prefix">{l.container.padEnd(width)} | </span>
              {l.text}
            </div>
          ))
        )}
      </div>
    </div>
  );
}
