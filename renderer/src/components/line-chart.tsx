export interface Series {
  label: string;
  /** Values in order, one per point. */
  values: number[];
  className: string;
}

/**
 * A small SVG line chart: no chart library, nothing that animates, so a
 * page of them costs next to nothing per sample.
 */
export function LineChart({ title, series, format, max, testId }: { title: string; series: Series[]; format(v: number): string; max?: number; testId?: string }) {
  const width = 320;
  const height = 110;
  const points = Math.max(0, ...series.map((s) => s.values.length));
  const top = Math.max(max ?? 0, ...series.flatMap((s) => s.values), 1e-9) * 1.1;
  const path = (values: number[]) =>
    values.map((v, i) => `${i === 0 ? 'M' : 'L'}${((i / Math.max(1, points - 1)) * width).toFixed(1)},${(height - (v / top) * height).toFixed(1)}`).join(' ');
  return (
    <figure className="chart card" data-testid={testId} data-points={points}>
      <figcaption>
        <strong>{title}</strong>
        {series.map((s) => (
          <span key={s.label} className={`legend ${s.className}`}>
            {s.label} {s.values.length > 0 ? format(s.values[s.values.length - 1] ?? 0) : '—'}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${title} over the last ${points} samples`}>
        {series.map((s) => (
          <path key={s.label} d={path(s.values)} className={`line ${s.className}`} vectorEffect="non-scaling-stroke" />
        ))}
      </svg>
      <span className="muted chart-scale">max {format(top / 1.1)}</span>
    </figure>
  );
}
