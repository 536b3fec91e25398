import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '../../../app/api/contract';
import { errorShape } from '../api/errors';
import { useAppStore } from '../store/use-app-store';
import { ErrorMessage } from './modal';
import { useWindowed } from './use-windowed';

const LINE_HEIGHT = 20;
// A page keeps this many lines; the file on disk keeps them all (download the full log with `cove logs`).
const MAX_LINES = 20_000;

function useFollowedLogs(id: string) {
  const follow = useAppStore((s) => s.followLogs);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [ended, setEnded] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  useEffect(() => {
    let live = true;
    let stop: (() => void) | null = null;
    // Batches a burst of events into one render per frame.
    let pending: LogLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const add = pending;
      pending = [];
      setLines((prev) => {
        const next = prev.concat(add);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    follow(id, 1000, (batch, done) => {
      if (!live) return;
      pending.push(...batch);
      if (!frame) frame = requestAnimationFrame(flush);
      if (done) setEnded(true);
    }).then(
      (unfollow) => (live ? (stop = unfollow) : unfollow()),
      (reason: unknown) => {
        if (live) setError(errorShape(reason));
      },
    );
    return () => {
      live = false;
      cancelAnimationFrame(frame);
      stop?.();
    };
  }, [id, follow]);
  return { lines, ended, error };
}

function format(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.time} ${line.text}` : line.text;
}

export function LogsTab({ id, name }: { id: string; name: string }) {
  const { lines, ended, error } = useFollowedLogs(id);
  const [query, setQuery] = useState('');
  const [timestamps, setTimestamps] = useState(false);
  const [follow, setFollow] = useState(true);
  const [copied, setCopied] = useState(false);
  const shown = useMemo(() => {
    const q = query.toLowerCase();
    return q ? lines.filter((l) => l.text.toLowerCase().includes(q)) : lines;
  }, [lines, query]);
  const { ref, range } = useWindowed<HTMLDivElement>(shown.length, LINE_HEIGHT, 20);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [shown, follow, ref]);

  const text = () => shown.map((l) => format(l, timestamps)).join('\n');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text());
    } catch {
      // Clipboard API refused (e.g. no focus): the old way still works.
      const area = document.createElement('textarea');
      area.value = text();
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text() + '\n'], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div className="logs" data-testid="logs">
      <div className="toolbar">
        <input type="search" className="search" placeholder="Search the log" aria-label="Search the log" value={query} onChange={(e) => setQuery(e.target.value)} data-shortcut-search />
        <label className="check">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Timestamps
        </label>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <button type="button" className="button" onClick={() => void copy()} disabled={shown.length === 0}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="button" onClick={download} disabled={shown.length === 0}>
          Download
        </button>
        <span className="muted" aria-live="polite">
          {query ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`}
          {ended ? ' · container removed' : ''}
        </span>
      </div>
      <ErrorMessage error={error} />
      <div
        className="log-view mono"
        ref={ref}
        tabIndex={0}
        role="log"
        aria-label={`Log of ${name}`}
        data-testid="log-view"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < LINE_HEIGHT * 2;
        }}
      >
        {lines.length === 0 && !error ? (
          <p className="muted log-empty">No output yet. Lines the container writes to stdout or stderr appear here as they come.</p>
        ) : (
          <div style={{ paddingTop: range.padTop, paddingBottom: range.padBottom }}>
            {shown.slice(range.start, range.end).map((line, i) => (
              <div key={range.start + i} className={`log-line log-${line.stream}`} data-testid="log-line">
                {timestamps && <span className="log-time">{line.time} </span>}
                {line.text}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
