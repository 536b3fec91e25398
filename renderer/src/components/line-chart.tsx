export interface Series {
  label: string;
  /** Values in order, one per point of `times`. */
  values: number[];
  className: string;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * A small SVG line chart with a time axis (x from the samples' own times, so
 * a gap shows as a gap in time) and a value axis in the series' unit. No
 * chart library and nothing that animates: a page of them costs next to
 * nothing per sample.
 */
export function LineChart({ title, unit, series, times, format, max, testId }: {
  title: string;
  /** Said once beside the title, e.g. "% of one CPU", "bytes/s". */
  unit: string;
  series: Series[];
  /** Epoch milliseconds, one per point. */
  times: number[];
  format(v: number): string;
  max?: number;
  testId?: string;
}) {
  const width = 320;
  const height = 110;
  const points = times.length;
  const t0 = times[0] ?? 0;
  const t1 = times[points - 1] ?? t0;
  const span = Math.max(1, t1 - t0);
  const top = Math.max(max ?? 0, ...series.flatMap((s) => s.values), 1e-9) * 1.1;
  const path = (values: number[]) => {
    // A series may be one shorter than the times (rates start at the second sample): align it to the end.
    const offset = points - values.length;
    return values
      .map((v, i) => {
        const t = times[i + offset] ?? t1;
        return `${i === 0 ? 'M' : 'L'}${(((t - t0) / span) * width).toFixed(1)},${(height - (v / top) * height).toFixed(1)}`;
      })
      .join(' ');
  };
  const yTicks = [top / 1.1, top / 2.2, 0];
  const xTicks = points > 1 ? [t0, t0 + span / 2, t1] : [];
  return (
    <figure className="chart card" data-testid={testId} data-points={points}>
      <figcaption>
        <strong>{title}</strong> <span className="muted chart-unit">({unit})</span>
        {series.map((s) => (
          <span key={s.label} className={`legend ${s.className}`}>
            {s.label} {s.values.length > 0 ? format(s.values[s.values.length - 1] ?? 0) : '—'}
          </span>
        ))}
      </figcaption>
      <div className="chart-body">
        <div className="chart-y muted" aria-hidden="true" data-testid="chart-y">
          {yTicks.map((v, i) => (
            <span key={i}>{format(v)}</span>
          ))}
        </div>
        <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${title} in ${unit}, ${points > 1 ? `${clock(t0)} to ${clock(t1)}` : 'no samples yet'}`}>
          <line x1="0" x2={width} y1={height / 2} y2={height / 2} className="grid" vectorEffect="non-scaling-stroke" />
          {series.map((s) => (
            <path key={s.label} d={path(s.values)} className={`line ${s.className}`} vectorEffect="non-scaling-stroke" />
          ))}
        </svg>
        <div className="chart-x muted" aria-hidden="true" data-testid="chart-x">
          {xTicks.map((t, i) => (
            <span key={i}>{clock(t)}</span>
          ))}
        </div>
      </div>
    </figure>
  );
}
