// docker's State.Health as the monitor's prober keeps it (health.json in the
// container's directory, replaced atomically after every probe), read by any
// engine process: no daemon holds it.
import fsp from 'node:fs/promises';
import type { ContainerState, HealthProbeResult, HealthStatus } from '../../api/contract.js';

export interface HealthView {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthProbeResult[];
}

const STATUSES: readonly HealthStatus[] = ['starting', 'healthy', 'unhealthy'];

/** The prober's file, checked field by field (a torn or foreign file reads as not there). */
export function parseHealth(text: string): HealthView | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const h = raw as Partial<Record<keyof HealthView, unknown>> | null;
  if (typeof h !== 'object' || h === null || !STATUSES.includes(h.Status as HealthStatus)) return undefined;
  const log = Array.isArray(h.Log) ? h.Log : [];
  return {
    Status: h.Status as HealthStatus,
    FailingStreak: typeof h.FailingStreak === 'number' ? h.FailingStreak : 0,
    Log: log.flatMap((e: Partial<Record<keyof HealthProbeResult, unknown>>) =>
      typeof e === 'object' && e !== null && typeof e.Start === 'string' && typeof e.End === 'string' && typeof e.ExitCode === 'number' && typeof e.Output === 'string'
        ? [{ Start: e.Start, End: e.End, ExitCode: e.ExitCode, Output: e.Output }]
        : [],
    ),
  };
}

/**
 * The health of a container that has a healthcheck: as the prober last wrote
 * it; `starting` while it runs and the prober has not written yet (a start
 * clears the previous run's file); a stopped container keeps its last state.
 */
export async function readHealth(file: string, state: ContainerState): Promise<HealthView> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  const h = parseHealth(text);
  if (h) return h;
  return { Status: state === 'running' || state === 'paused' ? 'starting' : 'unhealthy', FailingStreak: 0, Log: [] };
}

/** docker's ps STATUS suffix (container/health.go String): "(health: starting)", "(healthy)", "(unhealthy)". */
export function healthSuffix(status: HealthStatus): string {
  return status === 'starting' ? ' (health: starting)' : ` (${status})`;
}
