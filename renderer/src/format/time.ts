const STEPS: [limitSeconds: number, unitSeconds: number, unit: Intl.RelativeTimeFormatUnit][] = [
  [60, 1, 'second'],
  [3600, 60, 'minute'],
  [86_400, 3600, 'hour'],
  [86_400 * 30, 86_400, 'day'],
  [86_400 * 365, 86_400 * 30, 'month'],
  [Infinity, 86_400 * 365, 'year'],
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatRelative(iso: string | null, now: number): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  const seconds = Math.round((then - now) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 10) return 'just now';
  for (const [limit, size, unit] of STEPS) {
    if (magnitude < limit) return relative.format(Math.round(seconds / size), unit);
  }
  return '—';
}

export function formatAbsolute(iso: string | null): string | undefined {
  if (!iso) return undefined;
  const then = Date.parse(iso);
  return Number.isNaN(then) ? undefined : absolute.format(then);
}
