// The effective healthcheck of a container: the image's HEALTHCHECK
// (config.Healthcheck) under what `run`/create asked for, merged as docker's
// daemon merges them (daemon/create.go merge), with docker's defaults.
import type { HealthcheckConfig } from '../../api/contract.js';
import { EngineError } from '../errors.js';

/** docker's defaults (api/types/container: DefaultHealthcheck*), in nanoseconds. */
export const HEALTH_DEFAULTS = { intervalNs: 30e9, timeoutNs: 30e9, startPeriodNs: 0, startIntervalNs: 5e9, retries: 3 } as const;
/** docker refuses durations under a millisecond (other than 0 = default). */
const MIN_DURATION_NS = 1e6;

/** A healthcheck as run: every field resolved. Stored in container.json. */
export interface EffectiveHealthcheck {
  /** ['CMD', exe, ...args] or ['CMD-SHELL', command], as docker's Config.Healthcheck.Test. */
  test: string[];
  intervalNs: number;
  timeoutNs: number;
  startPeriodNs: number;
  startIntervalNs: number;
  retries: number;
  /** The image's SHELL for CMD-SHELL (docker runs it through the container's shell). */
  shell: string[];
}

/** The image config's `Healthcheck` (docker's field names), read defensively: images come from anywhere. */
export function imageHealthcheck(raw: unknown): HealthcheckConfig | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const h = raw as Record<string, unknown>;
  if (!Array.isArray(h.Test) || !h.Test.every((t) => typeof t === 'string')) return undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const out: HealthcheckConfig = { test: h.Test as string[] };
  const fields = [['Interval', 'intervalNs'], ['Timeout', 'timeoutNs'], ['StartPeriod', 'startPeriodNs'], ['StartInterval', 'startIntervalNs'], ['Retries', 'retries']] as const;
  for (const [from, to] of fields) {
    const v = num(h[from]);
    if (v !== undefined) out[to] = v;
  }
  return out;
}

function checkTest(test: string[], from: string): void {
  const [kind] = test;
  if (test.length === 0 || kind === 'NONE') return;
  // The monitor takes at most 64 probe arguments (native/src/health.h).
  if (test.length > 60) throw new EngineError('E_INVALID_ARGUMENT', `${from}: the healthcheck command has ${test.length - 1} arguments; at most 59`);
  if (kind === 'CMD' && test.length > 1) return;
  if (kind === 'CMD-SHELL' && test.length === 2 && test[1] !== '') return;
  throw new EngineError('E_INVALID_ARGUMENT', `${from}: the healthcheck test must be ["NONE"], ["CMD", command, args...] or ["CMD-SHELL", command], not ${JSON.stringify(test)}`);
}

function checkDurations(h: HealthcheckConfig, from: string): void {
  const names = { intervalNs: 'interval', timeoutNs: 'timeout', startPeriodNs: 'start period', startIntervalNs: 'start interval' } as const;
  for (const key of Object.keys(names) as Array<keyof typeof names>) {
    const v = h[key];
    if (v === undefined || v === 0) continue;
    if (!Number.isFinite(v) || v < MIN_DURATION_NS) throw new EngineError('E_INVALID_ARGUMENT', `${from}: the healthcheck ${names[key]} must be at least 1ms (or 0 for the default)`);
  }
  if (h.retries !== undefined && (!Number.isInteger(h.retries) || h.retries < 0)) throw new EngineError('E_INVALID_ARGUMENT', `${from}: the healthcheck retries must be a whole number, 0 or more`);
}

/**
 * docker's merge: no healthcheck asked for keeps the image's; an empty test
 * keeps the image's test and each unset (0) field takes the image's value;
 * ['NONE'] (or no test left at all) means no healthcheck.
 */
export function effectiveHealthcheck(image: HealthcheckConfig | undefined, asked: HealthcheckConfig | undefined, shell: unknown): EffectiveHealthcheck | null {
  if (asked) {
    checkTest(asked.test, 'run');
    checkDurations(asked, 'run');
  }
  let merged: HealthcheckConfig | undefined = asked ?? image;
  if (asked && image) {
    merged = { test: asked.test.length > 0 ? asked.test : image.test };
    for (const key of ['intervalNs', 'timeoutNs', 'startPeriodNs', 'startIntervalNs', 'retries'] as const) {
      const v = asked[key] || image[key];
      if (v !== undefined) merged[key] = v;
    }
  }
  if (!merged || merged.test.length === 0 || merged.test[0] === 'NONE') return null;
  // An image's own check is validated too: a broken one is refused at create, not failed forever.
  if (merged !== asked) {
    checkTest(merged.test, 'the image');
    checkDurations(merged, 'the image');
  }
  return {
    test: merged.test,
    intervalNs: merged.intervalNs || HEALTH_DEFAULTS.intervalNs,
    timeoutNs: merged.timeoutNs || HEALTH_DEFAULTS.timeoutNs,
    startPeriodNs: merged.startPeriodNs || HEALTH_DEFAULTS.startPeriodNs,
    startIntervalNs: merged.startIntervalNs || HEALTH_DEFAULTS.startIntervalNs,
    retries: merged.retries || HEALTH_DEFAULTS.retries,
    shell: Array.isArray(shell) && shell.length > 0 && shell.every((s) => typeof s === 'string') ? (shell as string[]) : ['/bin/sh', '-c'],
  };
}

/** The command the prober runs in the container. */
export function probeArgv(h: EffectiveHealthcheck): string[] {
  return h.test[0] === 'CMD-SHELL' ? [...h.shell, h.test[1] ?? ''] : h.test.slice(1);
}

/** The monitor's --health-* flags (milliseconds: the prober's clock). */
export function healthMonitorArgs(h: EffectiveHealthcheck, stateFile: string, pausedFile: string): string[] {
  const ms = (ns: number): string => String(Math.max(1, Math.round(ns / 1e6)));
  const argv = ['--health-state', stateFile, '--health-paused-file', pausedFile];
  for (const a of probeArgv(h)) argv.push('--health-cmd', a);
  argv.push('--health-interval-ms', ms(h.intervalNs), '--health-timeout-ms', ms(h.timeoutNs));
  argv.push('--health-start-period-ms', h.startPeriodNs === 0 ? '0' : ms(h.startPeriodNs), '--health-start-interval-ms', ms(h.startIntervalNs));
  argv.push('--health-retries', String(h.retries));
  return argv;
}
