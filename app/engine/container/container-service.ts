import type { ContainerInspect, ContainerSummary, LogLine, RunOptions, TopProcess } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { IdMappings } from '../idmap.js';
import type { ImageService } from '../image-service.js';
import { nativeBinary } from '../install-paths.js';
import type { SettingsStore } from '../settings.js';
import type { VolumeService } from '../volume/volume-service.js';
import type { NetworkService } from '../network/network-service.js';
import type { DiffEntry } from './container-files.js';
import { createContainer } from './container-create.js';
import { ContainerLifecycle } from './container-lifecycle.js';
import { ContainerProcesses, updateLimits } from './container-processes.js';
import type { AttachOptions, ExecOptions } from './container-process.js';
import { ContainerRecords, type ContainerEvents } from './container-records.js';
import type { ContainerRecord, ContainerStatus, ContainerStore } from './container-store.js';
import type { PortSpec } from './run-options.js';
import type { ExecSession } from './exec-session.js';
import type { PathStat } from './path-stat.js';
import { RuntimeOps } from './runtime-ops.js';
export type { ExecOptions } from './container-process.js';
export type { ContainerEvents } from './container-records.js';

export interface ContainerServiceDeps {
  store: ContainerStore;
  images: ImageService;
  mappings: IdMappings;
  runtimeRoot: string;
  lockFile: string;
  settings: SettingsStore;
  volumes: VolumeService;
  events: ContainerEvents;
  networks: NetworkService;
}

/**
 * The containers facade the handlers, the CLI and the UI call. The work is
 * done by its parts, one concern each: records (lookups, views, the one
 * update path), lifecycle (start, stop, restart policy, removal), processes
 * (exec, attach, top, signals, pause) and files (cp, diff, export).
 */
export class ContainerService {
  readonly records: ContainerRecords;
  readonly lifecycle: ContainerLifecycle;
  readonly processes: ContainerProcesses;
  private readonly runtime: RuntimeOps;

  constructor(private readonly deps: ContainerServiceDeps) {
    this.records = new ContainerRecords(deps.store, deps.lockFile, deps.events);
    this.runtime = new RuntimeOps(deps.store, deps.runtimeRoot);
    this.processes = new ContainerProcesses(this.records, this.runtime, deps.events);
    this.lifecycle = new ContainerLifecycle({ records: this.records, runtime: this.runtime, processes: this.processes, mappings: deps.mappings, volumes: deps.volumes, events: deps.events, networks: deps.networks });
  }

  // ---- records ----
  resolve = (query: string): Promise<ContainerRecord> => this.records.resolve(query);
  rename = async (query: string, name: string): Promise<ContainerRecord> => {
    const rec = await this.records.rename(query, name);
    await this.deps.networks.renameEndpoints(rec.id, rec.name);
    return rec;
  };
  status = (id: string): Promise<ContainerStatus> => this.records.status(id);
  summary = (rec: ContainerRecord): Promise<ContainerSummary> => this.records.summary(rec);
  list = (all: boolean): Promise<ContainerSummary[]> => this.records.list(all);
  inspect = (query: string): Promise<ContainerInspect> => this.records.inspect(query);
  ports = (query: string): Promise<PortSpec[]> => this.records.ports(query);
  running = (): Promise<Array<{ id: string; pid: number }>> => this.records.running();
  logs = (query: string, tail?: number): Promise<LogLine[]> => this.records.logs(query, tail);
  logPath = (id: string): string => this.records.logPath(id);
  usersOfVolume = (name: string): Promise<string[]> => this.records.usersOfVolume(name);
  usersOfImage = (imageId: string): Promise<string[]> => this.records.usersOfImage(imageId);
  containersDir = (): string => this.records.containersDir();
  containerDir = (id: string): string => this.records.containerDir(id);

  // ---- lifecycle ----
  async create(opts: RunOptions): Promise<ContainerRecord> {
    const { images, mappings, settings, volumes, events, networks } = this.deps;
    const rec = await createContainer({ records: this.records, images, mappings, settings, volumes, networks }, opts);
    events.containerChanged('create', rec.id);
    return rec;
  }
  start = (query: string): Promise<ContainerRecord> => this.lifecycle.start(query);
  startHeld = (query: string): Promise<ContainerRecord> => this.lifecycle.startHeld(query);
  startAndAttach = (query: string, detachKeys?: string): Promise<number> => this.lifecycle.startAndAttach(query, detachKeys);
  startAttached = (query: string): Promise<{ record: ContainerRecord; exitCode: Promise<number> }> => this.lifecycle.startAttached(query);
  stop = (query: string, timeoutSeconds?: number): Promise<ContainerRecord> => this.lifecycle.stop(query, timeoutSeconds);
  restart = (query: string, timeoutSeconds?: number): Promise<ContainerRecord> => this.lifecycle.restart(query, timeoutSeconds);
  wait = (query: string): Promise<number | null> => this.lifecycle.wait(query);
  remove = (query: string, force: boolean, removeVolumes = false): Promise<string> => this.lifecycle.remove(query, force, removeVolumes);
  prune = (): Promise<string[]> => this.lifecycle.prune();
  exited = (query: string): Promise<void> => this.lifecycle.exited(query);
  applyRestartPolicies = (): Promise<string[]> => this.lifecycle.applyRestartPolicies();

  // ---- processes ----
  attach = (query: string, options: AttachOptions = {}): Promise<number> => this.processes.attach(query, options);
  exec = (query: string, opts: ExecOptions): Promise<number> => this.processes.exec(query, opts);
  execSession = (query: string, opts: ExecOptions, size?: { cols: number; rows: number }): Promise<ExecSession> => this.processes.execSession(query, opts, size);
  attachTarget = (query: string, requireRunning = true): Promise<{ id: string; socket: string; tty: boolean; stdin: boolean }> => this.processes.attachTarget(query, requireRunning);
  kill = (query: string, signal?: string): Promise<ContainerRecord> => this.processes.kill(query, signal);
  top = (query: string): Promise<TopProcess[]> => this.processes.top(query);
  pause = (query: string): Promise<{ id: string; note: string }> => this.processes.pause(query);
  unpause = (query: string): Promise<{ id: string }> => this.processes.unpause(query);
  update = (query: string, opts: Pick<RunOptions, 'memory' | 'memorySwap' | 'cpus' | 'cpuShares' | 'pidsLimit'>): Promise<{ id: string }> => updateLimits(this.records, this.deps.events, query, opts);

  // ---- files (cp/diff/export pull in tar-stream: loaded only when used, to keep `cove run` quick to start) ----
  async copyIn(query: string, hostSource: string, containerDest: string): Promise<void> {
    const rec = await this.runningRecord(query);
    await (await files()).copyIn(async (cmd) => this.runtime.execPiped(rec, cmd), hostSource, containerDest);
  }

  async copyOut(query: string, containerSource: string, hostDest: string): Promise<void> {
    const rec = await this.runningRecord(query);
    await (await files()).copyOut(async (cmd) => this.runtime.execPiped(rec, cmd), containerSource, hostDest, nativeBinary('cove-layer-tool'));
  }

  async diff(query: string): Promise<DiffEntry[]> {
    const rec = await this.records.resolve(query);
    // Mount points Cove itself creates are not the container's changes (docker hides them too).
    const own = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/run/cove-init', ...(rec.config?.mounts ?? []).map((m) => m.target)]);
    const entries = await (await files()).diffUpper(this.deps.mappings, this.deps.store.paths(rec.id).upper, await this.lowerDirs(rec));
    return entries.filter((e) => !own.has(e.path));
  }

  async export(query: string, out: NodeJS.WritableStream, scratch: string): Promise<void> {
    const rec = await this.records.resolve(query);
    await (await files()).exportFilesystem(this.deps.mappings, scratch, this.deps.store.paths(rec.id).upper, await this.lowerDirs(rec), out);
  }

  private async runningRecord(query: string): Promise<ContainerRecord> {
    const rec = await this.records.resolve(query);
    if ((await this.records.status(rec.id)).state !== 'running') {
      throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} must be running for cp (it copies through the container's own tar)`);
    }
    return rec;
  }

  async copyOutTar(query: string, containerSource: string, out: NodeJS.WritableStream): Promise<void> {
    const rec = await this.runningRecord(query);
    await (await files()).copyOutTar(async (cmd) => this.runtime.execPiped(rec, cmd), containerSource, out);
  }

  /** docker cp's stat of a path in a running container. */
  async statPath(query: string, containerPath: string): Promise<PathStat> {
    const rec = await this.runningRecord(query);
    const { statInContainer } = await import('./path-stat.js');
    return statInContainer(async (cmd) => this.runtime.execPiped(rec, cmd), containerPath);
  }

  async copyInTar(query: string, archive: NodeJS.ReadableStream, containerDest: string): Promise<void> {
    const rec = await this.runningRecord(query);
    await (await files()).copyInTar(async (cmd) => this.runtime.execPiped(rec, cmd), archive, containerDest);
  }

  private async lowerDirs(rec: ContainerRecord): Promise<string[]> {
    return this.deps.images.layerDiffs(await this.deps.images.resolve(rec.imageId)).reverse();
  }
}

function files(): Promise<typeof import('./container-files.js')> {
  return import('./container-files.js');
}
