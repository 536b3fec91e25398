import fs from 'node:fs';
import { EngineError } from '../errors.js';
import type { ContainerRecord, ContainerStatus } from './container-store.js';
import { humanDuration } from './human-time.js';

/**
 * runc and crun take on the container's user before waiting for `start`,
 * which makes the process undumpable so slirp4netns cannot join its network
 * namespace (proc(5)); Cove's runtime waits as root. Say so instead of
 * leaving slirp4netns's "child failed".
 */
export function withRuntimeHint(err: unknown, rec: ContainerRecord): unknown {
  if (!(err instanceof EngineError) || err.code !== 'E_NETWORK' || rec.runtime === 'cove' || (rec.config?.user.uid ?? 0) === 0) return err;
  return new EngineError(
    'E_NETWORK',
    `${err.message}. With --runtime ${rec.runtime}, a container whose user is not root cannot get slirp4netns networking; use --runtime cove, --network none, or run as root inside`,
    { cause: err },
  );
}

export function nofileHardLimit(): number {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const m = /Max open files\s+\d+\s+(\d+|unlimited)/.exec(limits);
    if (m && m[1] !== 'unlimited') return Number(m[1]);
  } catch {
    // fall through to a conservative default
  }
  return 1024;
}

export function statusText(s: ContainerStatus, createdAt: string): string {
  const now = Date.now();
  switch (s.state) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(s.startedAt ?? createdAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(s.startedAt ?? createdAt))} (Paused)`;
    case 'exited':
      return s.finishedAt ? `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago` : `Exited (${s.exitCode ?? -1})`;
    default:
      return 'Created';
  }
}
