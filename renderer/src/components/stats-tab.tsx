import { useEffect, useState } from 'react';
import type { StatsSample } from '../../../app/api/contract';
import { errorShape } from '../api/errors';
import { formatBytes } from '../format/bytes';
import { useAppStore } from '../store/use-app-store';
import { LineChart } from './line-chart';
import { ErrorMessage } from './modal';

// Ten minutes at the engine's one-second sampling.
const WINDOW_SECONDS = 600;

function rates(samples: StatsSample[], pick: (s: StatsSample) => number): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as StatsSample;
    const b = samples[i] as StatsSample;
    const dt = (Date.parse(b.time) - Date.parse(a.time)) / 1000;
    out.push(dt > 0 ? Math.max(0, (pick(b) - pick(a)) / dt) : 0);
  }
  return out;
}

/** CPU, memory, network and block I/O, starting from the engine's history, growing with `stats` events. */
export function StatsTab({ id, running }: { id: string; running: boolean }) {
  const history = useAppStore((s) => s.statsHistory);
  const latest = useAppStore((s) => s.stats[id]);
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  useEffect(() => {
    let live = true;
    history(id, WINDOW_SECONDS).then(
      (past) => live && setSamples((now) => merge(past, now)),
      (reason: unknown) => {
        if (live) setError(errorShape(reason));
      },
    );
    return () => {
      live = false;
    };
  }, [id, history]);

  useEffect(() => {
    if (latest) setSamples((now) => merge(now, [latest]));
  }, [latest]);

  const source = samples[samples.length - 1]?.source;
  const times = samples.map((s) => Date.parse(s.time));
  const perSecond = (v: number) => `${formatBytes(v)}/s`;
  return (
    <div className="stats-tab" data-testid="stats">
      <ErrorMessage error={error} />
      {!running && <p className="muted">The container is not running: the charts show its last minutes.</p>}
      {samples.length === 0 && !error ? (
        <p className="muted">Waiting for the first sample…</p>
      ) : (
        <div className="charts">
          <LineChart testId="chart-cpu" title="CPU" unit="% of one CPU" times={times} max={1} series={[{ label: 'cpu', values: samples.map((s) => s.cpuPercent), className: 'l1' }]} format={(v) => `${v.toFixed(1)}%`} />
          <LineChart
            testId="chart-memory"
            title="Memory"
            unit="bytes"
            times={times}
            series={[{ label: 'used', values: samples.map((s) => s.memoryBytes), className: 'l1' }]}
            format={formatBytes}
          />
          <LineChart
            testId="chart-network"
            title="Network"
            unit="bytes per second"
            times={times}
            series={[
              { label: 'rx/s', values: rates(samples, (s) => s.netRxBytes), className: 'l1' },
              { label: 'tx/s', values: rates(samples, (s) => s.netTxBytes), className: 'l2' },
            ]}
            format={perSecond}
            max={1000}
          />
          <LineChart
            testId="chart-io"
            title="Block I/O"
            unit="bytes per second"
            times={times}
            series={[
              { label: 'read/s', values: rates(samples, (s) => s.blockReadBytes), className: 'l1' },
              { label: 'write/s', values: rates(samples, (s) => s.blockWriteBytes), className: 'l2' },
            ]}
            format={perSecond}
            max={1000}
          />
        </div>
      )}
      {source && <p className="muted">Measured from {source === 'cgroup' ? 'the container’s cgroup' : '/proc of its processes (no cgroup delegation here)'}; {latest ? `${latest.pids} processes` : ''}</p>}
    </div>
  );
}

function merge(a: StatsSample[], b: StatsSample[]): StatsSample[] {
  const byTime = new Map<string, StatsSample>();
  for (const s of [...a, ...b]) byTime.set(s.time, s);
  const all = [...byTime.values()].sort((x, y) => x.time.localeCompare(y.time));
  return all.slice(Math.max(0, all.length - WINDOW_SECONDS));
}
