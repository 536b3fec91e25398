// Shared by the benchmarks: run rootless as the test user, time commands,
// and drive podman against a store of its own. Benchmarks print figures;
// they are not tests and assert nothing.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseStat } from '../app/engine/stats/proc-reader.js';
import { createSandbox, fixtures, type CoveSandbox } from '../app/testing/harness.js';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

/** Runs a command and returns wall time in ms; throws with its stderr on failure. */
export function timed(cmd: string, args: string[], options: SpawnSyncOptions = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${String(r.stderr).slice(-800)}`);
  return ms;
}

export function run(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${String(r.stderr).slice(-800)}`);
  return String(r.stdout);
}

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function vmRssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

export function parentOf(pid: number): number {
  return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.ppid ?? NaN;
}

/** A podman with a store of its own, rootless, cgroupfs (no systemd here). */
export class Podman {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-bench-podman-'));
  readonly env = { ...process.env, HOME: this.dir, XDG_RUNTIME_DIR: path.join(this.dir, 'xdg'), XDG_CONFIG_HOME: path.join(this.dir, 'config') };
  constructor() {
    fs.mkdirSync(this.env.XDG_RUNTIME_DIR, { mode: 0o700 });
  }
  args(extra: string[]): string[] {
    return ['--root', path.join(this.dir, 'root'), '--runroot', path.join(this.dir, 'run'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...extra];
  }
  run(extra: string[]): string {
    return run('podman', this.args(extra), { env: this.env });
  }
  timed(extra: string[]): number {
    return timed('podman', this.args(extra), { env: this.env });
  }
  cleanup(): void {
    spawnSync('podman', this.args(['rm', '-af', '-t', '0']), { env: this.env, stdio: 'ignore' });
    spawnSync('podman', this.args(['system', 'reset', '-f']), { env: this.env, stdio: 'ignore' });
    spawnSync('podman', ['unshare', 'rm', '-rf', this.dir], { env: this.env, stdio: 'ignore' });
    // Rootless podman leaves a pause process (catatonit) per runtime dir; the
    // ones carrying our runtime dir in their environment are ours to end.
    // podman's API service also leaves an exec session's conmon waiting
    // (--exit-delay 300) after the exec ended: those naming our store are ours.
    for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (comm === 'conmon' && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(path.join(this.dir, 'root'))) {
          process.kill(Number(pid), 'SIGKILL');
          continue;
        }
        if (comm !== 'catatonit') continue;
        if (!fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`XDG_RUNTIME_DIR=${this.env.XDG_RUNTIME_DIR}`)) continue;
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone, or not ours to read
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Cove sandbox and a podman store, both with the same busybox archive loaded. */
export async function busyboxOnBoth(): Promise<{ sb: CoveSandbox; podman: Podman; cleanup(): Promise<void> }> {
  const fx = await fixtures();
  const sb = await createSandbox('cove-bench-');
  const podman = new Podman();
  await sb.cove(['load', '-q', '-i', fx.busyboxDocker]);
  podman.run(['load', '-q', '-i', fx.busyboxDocker]);
  return {
    sb,
    podman,
    cleanup: async () => {
      podman.cleanup();
      await sb.cleanup();
    },
  };
}

/** What a process is, for a CPU breakdown: Chromium's processes by their --type, others by name. */
function processKind(pid: number, comm: string): string {
  let argv: string[];
  try {
    // Chromium rewrites its children's titles into one space-separated string.
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
  } catch {
    return comm;
  }
  if (!/chrom/.test(comm) && !/chrom/.test(argv[0] ?? '')) return comm;
  const type = argv.find((a) => a.startsWith('--type='))?.slice('--type='.length);
  const sub = argv.find((a) => a.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length);
  return `chromium ${sub ? sub.replace(/^.*\./, '') : (type ?? 'browser')}`;
}

export interface CpuSnapshot {
  /** Busy ticks of every CPU of the machine (user, nice, system, irq, softirq, steal). */
  machine: number;
  /** CPU ticks of each process under the root, with the children it has reaped. */
  tree: Map<number, { kind: string; ticks: number }>;
}

/** CPU used so far by `root` and everything under it, and by the whole machine (proc(5)). */
export function cpuSnapshot(root = process.pid): CpuSnapshot {
  const cpu = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const machine = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (cpu[i] ?? 0), 0);
  const stats = new Map<number, NonNullable<ReturnType<typeof parseStat>>>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = parseStat(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (s) stats.set(Number(name), s);
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === root) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const tree = new Map<number, { kind: string; ticks: number }>();
  for (const [pid, s] of stats) if (under(pid)) tree.set(pid, { kind: processKind(pid, s.comm), ticks: s.cpuTicks + s.reapedChildTicks });
  return { machine, tree };
}

/**
 * CPU milliseconds between two snapshots, by kind of process, plus the whole
 * machine and "elsewhere" (kernel threads such as the pty's flip-buffer
 * workers, softirqs, anything else running).
 */
export function cpuMsBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const msPerTick = 1000 / 100; // USER_HZ is 100 on Linux
  const out: Record<string, number> = {};
  let ours = 0;
  for (const [pid, now] of after.tree) {
    const ticks = now.ticks - (before.tree.get(pid)?.ticks ?? 0);
    out[now.kind] = (out[now.kind] ?? 0) + ticks * msPerTick;
    ours += ticks;
  }
  out['elsewhere'] = (after.machine - before.machine - ours) * msPerTick;
  out['machine'] = (after.machine - before.machine) * msPerTick;
  return out;
}
