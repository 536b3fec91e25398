import fsp from 'node:fs/promises';
import type { ExecSession } from './exec-session.js';
import type { RunOptions, TopProcess } from '../../api/contract.js';
import { cgroupDirOf, isFrozen, setFrozen } from './cgroup-limits.js';
import { updateResources } from './container-update.js';
import { EngineError } from '../errors.js';
import { pidNamespaceOf, readProcEntry, scanByPidNamespace } from '../stats/proc-reader.js';
import type { ContainerEvents, ContainerRecords } from './container-records.js';
import type { ContainerRecord } from './container-store.js';
import { runAttachClient, runExec, type AttachOptions, type ExecOptions } from './container-process.js';
import type { RuntimeOps } from './runtime-ops.js';
import { parseSignal } from './signals.js';

/** What runs inside a container: exec, attach, top, signals, pause. */
export class ContainerProcesses {
  constructor(
    private readonly records: ContainerRecords,
    private readonly runtime: RuntimeOps,
    private readonly events: ContainerEvents,
  ) {}

  private get store() {
    return this.records.store;
  }

  /**
   * Attaches this process's terminal to the container through the
   * monitor's socket (native/build/cove-attach): raw mode, resizes, detach
   * keys. Resolves with cove-attach's status (the container's exit code, 0
   * on detach).
   */
  async attach(query: string, options: AttachOptions = {}): Promise<number> {
    const rec = await this.records.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state !== 'running' && s.state !== 'paused') throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running; start it first (cove start ${rec.name})`);
    return runAttachClient(this.store.paths(rec.id).attach, options);
  }

  /** The monitor's attach socket of a running container, for clients that speak its protocol themselves (the Docker API). */
  async attachTarget(query: string, requireRunning = true): Promise<{ id: string; socket: string; tty: boolean; stdin: boolean }> {
    const rec = await this.records.resolve(query);
    const s = await this.store.status(rec.id);
    if (requireRunning && s.state !== 'running' && s.state !== 'paused') throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running`);
    return { id: rec.id, socket: this.store.paths(rec.id).attach, tty: Boolean(rec.config?.tty), stdin: Boolean(rec.config?.interactive) };
  }

  /** An exec whose stdio a server relays (the Docker API): the same checks as `exec`. */
  async execSession(query: string, opts: ExecOptions, size?: { cols: number; rows: number }): Promise<ExecSession> {
    const rec = await this.records.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state !== 'running') throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running`);
    if (opts.command.length === 0) throw new EngineError('E_INVALID_ARGUMENT', 'exec needs a command');
    const { startExecSession } = await import('./exec-session.js');
    return startExecSession({ runtime: rec.runtime, runtimeRoot: this.runtime.root(rec), id: rec.id, name: rec.name }, opts, size);
  }

  /**
   * Runs a command in a running container through its runtime's `exec`,
   * which joins the user namespace first and re-applies the container's
   * capabilities, no_new_privs, seccomp, user and cwd. Foreground only:
   * stdio is ours (node-pty's slave when a terminal runs it).
   */
  async exec(query: string, opts: ExecOptions): Promise<number> {
    const rec = await this.records.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state !== 'running') throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running; start it first (cove start ${rec.name})`);
    if (opts.command.length === 0) throw new EngineError('E_INVALID_ARGUMENT', 'exec needs a command, e.g. cove exec -it NAME sh');
    return runExec({ runtime: rec.runtime, runtimeRoot: this.runtime.root(rec), id: rec.id, name: rec.name }, opts);
  }

  async kill(query: string, signal?: string): Promise<ContainerRecord> {
    const rec = await this.records.resolve(query);
    await this.runtime.signal(rec, parseSignal(signal));
    return rec;
  }

  /** docker top: the container's processes, by host pid, found through its pid namespace. */
  async top(query: string): Promise<TopProcess[]> {
    const rec = await this.records.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state !== 'running' || s.pid === null) throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running`);
    return (await this.pids(rec))
      .map((pid) => readProcEntry(pid))
      .filter((e): e is NonNullable<typeof e> => e !== null)
      .map((e) => ({ pid: e.pid, ppid: e.ppid, uid: e.uid, cpuSeconds: e.cpuTicks / 100, rssBytes: e.rssBytes, state: e.state, command: e.cmdline }))
      .sort((a, b) => a.pid - b.pid);
  }

  private async pids(rec: ContainerRecord): Promise<number[]> {
    const s = await this.store.status(rec.id);
    if ((s.state !== 'running' && s.state !== 'paused') || s.pid === null) {
      throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running`);
    }
    const ns = pidNamespaceOf(s.pid);
    return ns ? (scanByPidNamespace().get(ns) ?? [s.pid]) : [s.pid];
  }

  /**
   * Without a delegated cgroup there is no freezer, so every process of the
   * container gets SIGSTOP (and SIGCONT on unpause); a process that forks in
   * between can escape it, which the note says.
   */
  async pause(query: string): Promise<{ id: string; note: string }> {
    const rec = await this.records.resolve(query);
    if ((await this.store.status(rec.id)).state === 'paused') throw new EngineError('E_INVALID_ARGUMENT', `container ${rec.name} is already paused`);
    const pids = await this.pids(rec);
    const cg = cgroupDirOf(pids[0] as number);
    if (cg) {
      // The freezer stops every process of the cgroup, forks included (cgroup-v2.rst, cgroup.freeze).
      await setFrozen(cg, true);
      await fsp.writeFile(this.store.paths(rec.id).paused, new Date().toISOString());
      this.events.containerChanged('update', rec.id);
      return { id: rec.id, note: 'frozen with the cgroup freezer' };
    }
    await fsp.writeFile(this.store.paths(rec.id).paused, new Date().toISOString());
    signalAll(pids, 'SIGSTOP');
    this.events.containerChanged('pause', rec.id);
    return { id: rec.id, note: 'no cgroup freezer (cgroups are not delegated here): paused with SIGSTOP' };
  }

  async unpause(query: string): Promise<{ id: string }> {
    const rec = await this.records.resolve(query);
    if ((await this.store.status(rec.id)).state !== 'paused') throw new EngineError('E_INVALID_ARGUMENT', `container ${rec.name} is not paused`);
    const pids = await this.pids(rec);
    const cg = cgroupDirOf(pids[0] as number);
    if (cg && isFrozen(cg)) await setFrozen(cg, false);
    signalAll(pids, 'SIGCONT');
    await fsp.rm(this.store.paths(rec.id).paused, { force: true });
    this.events.containerChanged('unpause', rec.id);
    return { id: rec.id };
  }
}

/** `cove update`: new limits for a running container's cgroup, kept for its next start. */
export async function updateLimits(records: ContainerRecords, events: ContainerEvents, query: string, opts: Pick<RunOptions, 'memory' | 'memorySwap' | 'cpus' | 'cpuShares' | 'pidsLimit'>): Promise<{ id: string }> {
  const rec = await records.resolve(query);
  await updateResources(rec, await records.status(rec.id), records.store.paths(rec.id).config, opts);
  events.containerChanged('update', rec.id);
  return { id: rec.id };
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}
