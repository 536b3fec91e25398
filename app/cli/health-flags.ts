// docker's run/create --health-* and --no-healthcheck (cli/command/container/opts.go) as the API's HealthcheckConfig.
import type { HealthcheckConfig } from '../api/contract.js';
import { parseDuration } from '../engine/go-duration.js';
import { flagBool, flagString, UsageError, type parseArgs } from './args.js';

const DURATIONS = [
  ['health-interval', 'intervalNs'],
  ['health-timeout', 'timeoutNs'],
  ['health-start-period', 'startPeriodNs'],
  ['health-start-interval', 'startIntervalNs'],
] as const;

/** undefined: nothing asked (the image's HEALTHCHECK applies). */
export function healthFlags(p: ReturnType<typeof parseArgs>): HealthcheckConfig | undefined {
  const cmd = flagString(p, 'health-cmd');
  const out: HealthcheckConfig = { test: cmd ? ['CMD-SHELL', cmd] : [] };
  let any = Boolean(cmd);
  for (const [flag, key] of DURATIONS) {
    const text = flagString(p, flag);
    if (text === undefined) continue;
    const ns = parseDuration(text);
    if (ns === null) throw new UsageError(`invalid argument "${text}" for "--${flag}" flag: give a duration like 1s, 500ms or 1m30s`);
    if (ns === 0) continue;
    out[key] = ns;
    any = true;
  }
  const retries = flagString(p, 'health-retries');
  if (retries !== undefined) {
    const n = Number(retries);
    if (!Number.isInteger(n)) throw new UsageError(`invalid argument "${retries}" for "--health-retries" flag: give a whole number`);
    if (n < 0) throw new UsageError('--health-retries cannot be negative');
    if (n !== 0) {
      out.retries = n;
      any = true;
    }
  }
  if (flagBool(p, 'no-healthcheck')) {
    if (any) throw new UsageError('--no-healthcheck conflicts with --health-* options');
    return { test: ['NONE'] };
  }
  return any ? out : undefined;
}
