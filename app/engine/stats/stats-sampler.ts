import fs from 'node:fs';
import path from 'node:path';
import type { StatsSample } from '../../api/contract.js';
import { cgroupMode } from '../doctor.js';
import { readCgroupUsage } from './cgroup-reader.js';
import { hostMemoryBytes, pidNamespaceOf, readProcUsage, scanByPidNamespace, type RawUsage } from './proc-reader.js';
import { StatsRing } from './stats-ring.js';

export interface RunningContainer {
  id: string;
  pid: number;
}

interface Previous {
  pid: number;
  cpuSeconds: number;
  at: number;
}

/** The container's own cgroup v2 directory when it has one apart from ours (a delegated subtree). */
function ownCgroupDir(pid: number): string | null {
  try {
    const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    const mine = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    if (!line || line === mine) return null;
    return path.join('/sys/fs/cgroup', line.slice(3));
  } catch {
    return null;
  }
}

/**
 * One sampler for all running containers (not a stream per view): each
 * tick reads every container once, computes CPU % from the delta, keeps an
 * hour of history per container, and hands the batch to `emit`.
 */
export class StatsSampler {
  private readonly rings = new Map<string, StatsRing>();
  private readonly previous = new Map<string, Previous>();
  private timer: NodeJS.Timeout | undefined;
  private always = false;
  private users = 0;
  private readonly memTotal = hostMemoryBytes();
  private readonly useCgroups = cgroupMode().mode === 'v2-delegated';

  constructor(
    private readonly running: () => Promise<RunningContainer[]>,
    private readonly emit: (samples: StatsSample[]) => void,
    private readonly intervalMs = 1000,
  ) {}

  /** Samples for as long as the engine runs (the GUI and web mode keep history). */
  start(): void {
    this.always = true;
    this.run();
  }

  stop(): void {
    this.always = false;
    this.users = 0;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Samples while at least one subscriber holds it (a `stats` events subscription). */
  acquire(): void {
    this.users++;
    this.run();
  }

  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0 && !this.always) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private run(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    // A background sampler must not keep a CLI process alive on its own.
    this.timer.unref();
  }

  /** Samples every running container once; returns the samples that have a CPU delta. */
  async tick(): Promise<StatsSample[]> {
    const list = await this.running().catch(() => [] as RunningContainer[]);
    if (list.length === 0) return [];
    const groups = this.useCgroups ? null : scanByPidNamespace();
    const now = Date.now();
    const samples: StatsSample[] = [];
    for (const c of list) {
      let usage: RawUsage;
      let limit = this.memTotal;
      let source: StatsSample['source'] = 'proc';
      const dir = this.useCgroups ? ownCgroupDir(c.pid) : null;
      const cg = dir ? readCgroupUsage(dir) : null;
      if (cg) {
        const net = readProcUsage(c.pid, []);
        usage = { ...cg, netRxBytes: net.netRxBytes, netTxBytes: net.netTxBytes };
        if (cg.memoryLimitBytes !== null) limit = cg.memoryLimitBytes;
        source = 'cgroup';
      } else {
        const ns = pidNamespaceOf(c.pid);
        const pids = (ns && (groups ?? scanByPidNamespace()).get(ns)) || [c.pid];
        usage = readProcUsage(c.pid, pids);
      }
      const prev = this.previous.get(c.id);
      this.previous.set(c.id, { pid: c.pid, cpuSeconds: usage.cpuSeconds, at: now });
      if (!prev || prev.pid !== c.pid) continue;
      const wall = (now - prev.at) / 1000;
      const sample: StatsSample = {
        id: c.id,
        time: new Date(now).toISOString(),
        cpuPercent: wall > 0 ? Math.max(0, ((usage.cpuSeconds - prev.cpuSeconds) / wall) * 100) : 0,
        memoryBytes: usage.memoryBytes,
        memoryLimitBytes: limit,
        pids: usage.pids,
        netRxBytes: usage.netRxBytes,
        netTxBytes: usage.netTxBytes,
        blockReadBytes: usage.blockReadBytes,
        blockWriteBytes: usage.blockWriteBytes,
        source,
      };
      let ring = this.rings.get(c.id);
      if (!ring) this.rings.set(c.id, (ring = new StatsRing()));
      ring.push(sample);
      samples.push(sample);
    }
    const alive = new Set(list.map((c) => c.id));
    for (const id of this.previous.keys()) if (!alive.has(id)) this.previous.delete(id);
    if (samples.length > 0) this.emit(samples);
    return samples;
  }

  history(id: string, seconds?: number): StatsSample[] {
    return this.rings.get(id)?.list(seconds === undefined ? undefined : Date.now() - seconds * 1000) ?? [];
  }

  current(): StatsSample[] {
    return [...this.rings.values()].map((r) => r.latest()).filter((s): s is StatsSample => s !== undefined);
  }

  forget(id: string): void {
    this.rings.delete(id);
    this.previous.delete(id);
  }
}
