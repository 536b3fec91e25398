import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ContainerState } from '../../api/contract.js';
import { readJsonFile, writeJsonAtomic, ensureDir } from '../fs-atomic.js';
import { procStartTime, sameProcessAlive } from './proc.js';
import type { RunConfig } from './run-config.js';

export interface ContainerRecord {
  id: string;
  name: string;
  /** The reference the user gave, normalised. */
  image: string;
  imageId: string;
  command: string[];
  createdAt: string;
  autoRemove: boolean;
  /** The OCI runtime the container was created for (cove, runc, crun or a path). */
  runtime: string;
  /** What `run` asked for, resolved (ports, mounts, restart policy, ...). */
  config: RunConfig;
  /** Restarts done by the restart policy since the last manual start. */
  restartCount: number;
  /** Set by `cove stop`: unless-stopped containers stay down. */
  stoppedByUser?: boolean;
}

/** What the engine records when it starts a container. */
export interface StartRecord {
  startedAt: string;
  pid: number | null;
  pidStart: string | null;
}

/** What the monitor writes when the container exits. */
export interface ExitRecord {
  exitCode: number;
  finishedAt: string;
  error?: string;
}

export interface ContainerStatus {
  state: ContainerState;
  pid: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
}

const RESERVE_BYTES = 64 * 1024;

/**
 * start.json describes a process of this boot: after a power cut none runs,
 * and status() reads a start.json that is missing or half-written as
 * "created", never as running. So it is replaced atomically (readers and a
 * kill -9 see the old or the new one) but not fsynced: four fsyncs on the
 * path of every start. The records that must survive a power cut (the
 * container's container.json and bundle) still are.
 */
const START_WRITE = { durable: false };

/** containers/<id>/: the record, the bundle, the overlay dirs, the log and the state files. */
export class ContainerStore {
  readonly dir: string;
  constructor(home: string) {
    this.dir = path.join(home, 'containers');
  }

  async init(): Promise<void> {
    await ensureDir(this.dir);
  }

  paths(id: string) {
    const root = path.join(this.dir, id);
    return {
      root,
      record: path.join(root, 'container.json'),
      /** flock(2)ed while the container is started or stopped: one at a time per container. */
      stateLock: path.join(root, 'state.lock'),
      start: path.join(root, 'start.json'),
      exit: path.join(root, 'exit.json'),
      /** Space kept for exit.json and container.json, given back when the disk is full (stop). */
      reserve: path.join(root, 'exit.reserve'),
      pid: path.join(root, 'pid'),
      /** flock(2)ed by the container's monitor while it lives (native/src/monitor.c --instance-lock). */
      monitorLock: path.join(root, 'monitor.lock'),
      paused: path.join(root, 'paused'),
      attach: path.join(root, 'attach.sock'),
      slirp: path.join(root, 'slirp.sock'),
      ports: path.join(root, 'ports.json'),
      /** docker's State.Health, kept by the monitor's prober (native/src/health.c). */
      health: path.join(root, 'health.json'),
      log: path.join(root, 'container.log'),
      bundle: path.join(root, 'bundle'),
      rootfs: path.join(root, 'bundle', 'rootfs'),
      config: path.join(root, 'bundle', 'config.json'),
      upper: path.join(root, 'upper'),
      work: path.join(root, 'work'),
    };
  }

  async ids(): Promise<string[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n));
  }

  async readRecord(id: string): Promise<ContainerRecord | undefined> {
    return this.readRecordSync(id);
  }

  /** container.json, or undefined when there is none; a read error other than ENOENT throws. */
  readRecordSync(id: string): ContainerRecord | undefined {
    // Synchronous for the reason given in statusFiles().
    const rec = readSmallJson<ContainerRecord>(this.paths(id).record, true);
    if (rec) rec.runtime ??= 'cove';
    return rec;
  }

  async records(): Promise<ContainerRecord[]> {
    // All at once: one read each, and the thread pool overlaps them (docker ps with many containers).
    const recs = await Promise.all((await this.ids()).map((id) => this.readRecord(id).catch(() => undefined)));
    // A directory without container.json is a create that crashed half-way.
    return recs.filter((r): r is ContainerRecord => r !== undefined);
  }

  /** Only for create and ContainerRecords.update, which hold containers.lock. */
  async writeRecord(rec: ContainerRecord): Promise<void> {
    await writeJsonAtomic(this.paths(rec.id).record, rec);
  }

  async readPid(id: string): Promise<number | null> {
    const text = await fsp.readFile(this.paths(id).pid, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }

  async markStarting(id: string): Promise<void> {
    const p = this.paths(id);
    await fsp.rm(p.exit, { force: true });
    await fsp.rm(p.paused, { force: true });
    await fsp.rm(p.pid, { force: true });
    // Each run starts as docker's does: `starting`, no streak, no log.
    await fsp.rm(p.health, { force: true });
    await writeJsonAtomic(p.start, { startedAt: new Date().toISOString(), pid: null, pidStart: null } satisfies StartRecord, START_WRITE);
    // Real blocks, not a hole: on a disk that fills up while the container
    // runs, `stop` frees them so the monitor can still write the exit code.
    await fsp.writeFile(p.reserve, Buffer.alloc(RESERVE_BYTES), { mode: 0o600 });
  }

  /** Gives the reserved space back to the filesystem (see markStarting). */
  async freeReserve(id: string): Promise<void> {
    await fsp.rm(this.paths(id).reserve, { force: true });
  }

  async markStarted(id: string, pid: number): Promise<void> {
    const p = this.paths(id);
    const prev = await readJsonFile<StartRecord>(p.start);
    await writeJsonAtomic(p.start, { startedAt: prev?.startedAt ?? new Date().toISOString(), pid, pidStart: procStartTime(pid) } satisfies StartRecord, START_WRITE);
  }

  async markStartFailed(id: string): Promise<void> {
    await fsp.rm(this.paths(id).start, { force: true });
  }

  /**
   * Derives the state from the files alone, so any process (GUI, CLI, a
   * restarted engine) sees the same thing without a daemon.
   */
  async status(id: string): Promise<ContainerStatus> {
    return deriveStatus(this.statusFiles(id), sameProcessAlive);
  }

  /** What the state is derived from: start.json, exit.json, the pid file and the paused mark. */
  statusFiles(id: string): StatusFiles {
    const p = this.paths(id);
    // Small files read synchronously: a few microseconds each from the page cache, where an
    // async readFile is four thread-pool round trips (open, fstat, read, close), which a
    // docker ps of many containers pays for each of them on a busy machine.
    const start = readSmallJson<StartRecord>(p.start);
    if (!start) return { start: undefined, exit: undefined, pid: null, paused: false };
    const exit = readSmallJson<ExitRecord>(p.exit);
    if (exit) return { start, exit, pid: null, paused: false };
    return { start, exit: undefined, pid: start.pid ?? readPidFile(p.pid), paused: fs.existsSync(p.paused) };
  }
}

/** The state files of one container as read at one moment (ContainerStore.statusFiles). */
export interface StatusFiles {
  start: StartRecord | undefined;
  exit: ExitRecord | undefined;
  /** The container's init pid: start.json's, else the monitor's pid file (null while starting). */
  pid: number | null;
  paused: boolean;
}

/** True if `pid` runs and is the process recorded at start (`recordedStart`: its start time, null if not recorded). */
export type Liveness = (pid: number, recordedStart: string | null) => boolean;

/** The one derivation of a container's state from its files and whether its process lives. */
export function deriveStatus(f: StatusFiles, alive: Liveness): ContainerStatus {
  const { start, exit, pid } = f;
  if (!start) return { state: 'created', pid: null, startedAt: null, finishedAt: null, exitCode: null };
  if (exit) return { state: 'exited', pid: null, startedAt: start.startedAt, finishedAt: exit.finishedAt, exitCode: exit.exitCode };
  if (pid !== null && alive(pid, start.pid === pid ? start.pidStart : null)) {
    return { state: f.paused ? 'paused' : 'running', pid, startedAt: start.startedAt, finishedAt: null, exitCode: null };
  }
  if (pid === null) {
    // Still starting: the monitor has not written the pid yet.
    return { state: 'created', pid: null, startedAt: start.startedAt, finishedAt: null, exitCode: null };
  }
  // The process is gone and nobody wrote its exit (the monitor was killed).
  return { state: 'exited', pid: null, startedAt: start.startedAt, finishedAt: null, exitCode: -1 };
}

function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** A small JSON file of the store, or undefined when it is missing (or, unless `strict`, unreadable or half-written). */
export function readSmallJson<T>(file: string, strict = false): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (!strict || (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    if (strict) throw err;
    return undefined;
  }
}
