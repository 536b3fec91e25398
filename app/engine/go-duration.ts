// Go's time.ParseDuration, the syntax docker takes for every duration
// (HEALTHCHECK --interval, run --health-interval, the API's compose strings).

/** "1m30s", "500ms", "1.5h", "0" in nanoseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return text === '0' ? 0 : null;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * (units[m[2] as string] as number);
  return Math.round(total);
}
