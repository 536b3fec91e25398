// cgroup v2 for containers where a subtree is delegated to the user: each
// container gets /sys/fs/cgroup/<delegated root>/cove-<id> (made by the
// runtime from linux.cgroupsPath), its limits as linux.resources, the
// freezer for pause, live updates and the OOM record the runtime leaves.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { cgroupMode } from '../doctor.js';
import { EngineError } from '../errors.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

export interface Resources {
  memory?: number;
  /** docker's --memory-swap: memory + swap in bytes, -1 for unlimited. */
  memorySwap?: number;
  cpus?: number;
  cpuShares?: number;
  pidsLimit?: number;
  blkioWeight?: number;
}

export interface OciResources {
  memory?: { limit?: number; swap?: number };
  cpu?: { quota?: number; period?: number; shares?: number };
  pids?: { limit: number };
  blockIO?: { weight: number };
}

const CPU_PERIOD = 100_000;

function ownCgroup(): string | null {
  try {
    const line = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line ? line.slice(3) : null;
  } catch {
    return null;
  }
}

/**
 * Where this user's containers' cgroups go: the parent of our own cgroup (a
 * process may not sit in a cgroup whose controllers are enabled for children,
 * so ours is a leaf, and its parent is the delegated subtree: systemd's
 * user@UID.service/app.slice on a desktop, /cove in the Cove VM).
 */
export function delegatedRoot(): string | null {
  if (cgroupMode().mode !== 'v2-delegated') return null;
  const own = ownCgroup();
  if (own === null || own === '/') return null;
  const parent = path.posix.dirname(own);
  try {
    fs.accessSync(path.join(CGROUP_ROOT, parent, 'cgroup.procs'), fs.constants.W_OK);
    fs.accessSync(path.join(CGROUP_ROOT, parent, 'cgroup.subtree_control'), fs.constants.W_OK);
    return parent;
  } catch {
    return null;
  }
}

export function containerCgroupPath(id: string): string | null {
  const root = delegatedRoot();
  return root === null ? null : path.posix.join(root, `cove-${id.slice(0, 32)}`);
}

export function ociResources(r: Resources): OciResources | undefined {
  const out: OciResources = {};
  if (r.memory !== undefined || r.memorySwap !== undefined) {
    out.memory = {};
    if (r.memory !== undefined) out.memory.limit = r.memory;
    if (r.memorySwap !== undefined) out.memory.swap = r.memorySwap;
  }
  if (r.cpus !== undefined || r.cpuShares !== undefined) {
    out.cpu = {};
    if (r.cpus !== undefined) {
      out.cpu.quota = Math.max(1000, Math.round(r.cpus * CPU_PERIOD));
      out.cpu.period = CPU_PERIOD;
    }
    if (r.cpuShares !== undefined) out.cpu.shares = r.cpuShares;
  }
  if (r.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit };
  if (r.blkioWeight !== undefined) out.blockIO = { weight: r.blkioWeight };
  return Object.keys(out).length ? out : undefined;
}

/** The container's own cgroup directory (from its init's /proc entry), if it has one apart from ours. */
export function cgroupDirOf(pid: number): string | null {
  try {
    const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    if (!line || line.slice(3) === ownCgroup()) return null;
    const dir = path.join(CGROUP_ROOT, line.slice(3));
    return fs.existsSync(path.join(dir, 'cgroup.freeze')) ? dir : null;
  } catch {
    return null;
  }
}

/** cgroup.freeze, then waits for cgroup.events to say "frozen" (cgroup-v2.rst: freezing is asynchronous). */
export async function setFrozen(dir: string, frozen: boolean, timeoutMs = 5000): Promise<void> {
  await fsp.writeFile(path.join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
  const want = `frozen ${frozen ? 1 : 0}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fsp.readFile(path.join(dir, 'cgroup.events'), 'utf8')).split('\n').includes(want)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new EngineError('E_RUNTIME_FAILED', `the cgroup freezer did not reach "${want}" in ${timeoutMs / 1000} s`);
}

export function isFrozen(dir: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8').split('\n').includes('frozen 1');
  } catch {
    return false;
  }
}

/** `cove update`: new limits into a running container's cgroup files (they are the user's: the runtime made them). */
export async function updateCgroup(dir: string, r: Resources): Promise<void> {
  const w = (file: string, value: string): Promise<void> =>
    fsp.writeFile(path.join(dir, file), value).catch((err: NodeJS.ErrnoException) => {
      throw new EngineError('E_INVALID_ARGUMENT', `cannot set ${file} to ${value}: ${err.message}`);
    });
  if (r.memory !== undefined) await w('memory.max', String(r.memory));
  if (r.memorySwap !== undefined) await w('memory.swap.max', r.memorySwap < 0 ? 'max' : String(Math.max(0, r.memorySwap - (r.memory ?? Number(fs.readFileSync(path.join(dir, 'memory.max'), 'utf8'))))));
  if (r.cpus !== undefined) await w('cpu.max', `${Math.max(1000, Math.round(r.cpus * CPU_PERIOD))} ${CPU_PERIOD}`);
  if (r.cpuShares !== undefined) await w('cpu.weight', String(1 + Math.floor(((Math.min(262144, Math.max(2, r.cpuShares)) - 2) * 9999) / 262142)));
  if (r.pidsLimit !== undefined) await w('pids.max', r.pidsLimit <= 0 ? 'max' : String(r.pidsLimit));
}

/** The runtime leaves bundle/oom-killed when memory.events counted an OOM kill (read before it removed the cgroup). */
export function wasOomKilled(bundleDir: string): boolean {
  return fs.existsSync(path.join(bundleDir, 'oom-killed'));
}

/**
 * An OOM kill as soon as the container has exited: the monitor writes the
 * exit file before the runtime's delete reads memory.events into the mark,
 * so the cgroup's own count is read while it is there, and the mark once
 * it is gone (the delete writes the mark before it removes the cgroup).
 */
export function oomKilledAtExit(id: string, bundleDir: string): boolean {
  const cg = containerCgroupPath(id);
  if (cg !== null) {
    try {
      const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync(path.join(CGROUP_ROOT, cg, 'memory.events'), 'utf8'));
      if (m) return Number(m[1]) > 0;
    } catch {
      // removed already: the mark says
    }
  }
  return wasOomKilled(bundleDir);
}
