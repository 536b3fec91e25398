import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerInspect, ContainerSummary, LogLine, RunOptions, TopProcess } from '../../api/contract.js';
import { pidNamespaceOf, readProcEntry, scanByPidNamespace } from '../stats/proc-reader.js';
import { EngineError } from '../errors.js';
import { ensureDir, readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import type { IdMappings } from '../idmap.js';
import { installPaths, nativeBinary } from '../install-paths.js';
import type { VolumeService } from '../volume/volume-service.js';
import { resolveRunConfig } from './run-config.js';
import type { DiffEntry } from './container-files.js';
import type { PortSpec } from './run-options.js';
import { hostnameFile, hostsFile, resolvFile } from './etc-files.js';
import { removeTree } from '../userns.js';
import type { ImageService } from '../image-service.js';
import { familiarReference, normalizeReference } from '../reference.js';
import { withLock } from '../store/lock.js';
import type { SettingsStore } from '../settings.js';
import { runtimePath } from '../runtimes.js';
import { ContainerStore, type ContainerRecord, type ContainerStatus } from './container-store.js';
import { buildSpec, type OciSpec } from './oci-spec.js';
import { NAME_RE, newContainerId, randomName } from './names.js';
import { parseCriLog } from './cri-log.js';
import { startDetached, startForeground, type MonitorArgs } from './monitor-launcher.js';
import { inspectView } from './container-inspect.js';
import { runAttachClient, runExec, type AttachOptions, type ExecOptions } from './container-process.js';
export type { ExecOptions } from './container-process.js';
import { restartDelayMs, wantsRestart } from './restart-policy.js';
import { nofileHardLimit, statusText, withRuntimeHint } from './container-support.js';
import { parseSignal } from './signals.js';



export interface ContainerEvents {
  containerChanged(action: 'create' | 'start' | 'die' | 'remove' | 'update', id: string): void;
}

export interface ContainerServiceDeps {
  store: ContainerStore;
  images: ImageService;
  mappings: IdMappings;
  runtimeRoot: string;
  lockFile: string;
  settings: SettingsStore;
  volumes: VolumeService;
  events: ContainerEvents;
}

/** Containers: create, start, stop, kill, remove, list, logs (design.md §2). */
export class ContainerService {
  constructor(private readonly deps: ContainerServiceDeps) {}

  private get store(): ContainerStore {
    return this.deps.store;
  }

  /** Finds a container by full ID, unique ID prefix or name. */
  async resolve(query: string): Promise<ContainerRecord> {
    const records = await this.store.records();
    const exact = records.find((r) => r.id === query || r.name === query);
    if (exact) return exact;
    if (/^[a-f0-9]{3,63}$/.test(query)) {
      const matches = records.filter((r) => r.id.startsWith(query));
      if (matches.length === 1) return matches[0] as ContainerRecord;
      if (matches.length > 1) throw new EngineError('E_INVALID_ARGUMENT', `${query} matches ${matches.length} containers; give more of the ID`);
    }
    throw new EngineError('E_CONTAINER_NOT_FOUND', `no container named or with ID ${query} (cove ps -a lists them)`);
  }

  async create(opts: RunOptions): Promise<ContainerRecord> {
    const image = await this.deps.images.resolve(opts.image);
    const config = await this.deps.images.readConfig(image.id);
    const id = newContainerId();
    const p = this.store.paths(id);
    if (opts.name !== undefined && !NAME_RE.test(opts.name)) {
      throw new EngineError('E_INVALID_ARGUMENT', `invalid container name "${opts.name}": use letters, digits, _ . - and start with a letter or digit`);
    }
    let reference = opts.image;
    try {
      reference = familiarReference(normalizeReference(opts.image));
    } catch {
      // An ID was given: keep it as typed.
    }
    const runtime = opts.runtime ?? (await this.deps.settings.read()).runtime;
    runtimePath(runtime);
    const lowerDirs = this.deps.images.layerDiffs(image).reverse();
    const run = resolveRunConfig(opts, config, id, lowerDirs);
    if (run.network.startsWith('container:')) {
      const other = await this.resolve(run.network.slice('container:'.length));
      run.network = `container:${other.id}`;
    }
    const created: string[] = [];
    const record = await withLock(this.deps.lockFile, async () => {
      const taken = new Set((await this.store.records()).map((r) => r.name));
      let name = opts.name ?? randomName();
      if (opts.name !== undefined && taken.has(name)) {
        throw new EngineError('E_NAME_IN_USE', `the name "${name}" is already used by a container; remove it (cove rm ${name}) or pick another name`);
      }
      for (let i = 2; taken.has(name); i++) name = `${randomName()}${i}`;
      await ensureDir(p.root);
      for (const dir of [p.bundle, p.rootfs, p.upper, p.work]) await fsp.mkdir(dir, { mode: 0o755 });
      const volumePaths = new Map<string, string>();
      for (const m of run.mounts) {
        if (m.type !== 'volume') continue;
        const existed = m.source !== null && (await this.deps.volumes.exists(m.source));
        const vol = await this.deps.volumes.create(m.source, { anonymous: m.source === null });
        if (!existed) created.push(vol.name);
        m.source = vol.name;
        volumePaths.set(m.target, this.deps.volumes.dataPath(vol.name));
      }
      const etc = { hosts: path.join(p.root, 'hosts'), hostname: path.join(p.root, 'hostname'), resolv: path.join(p.root, 'resolv.conf') };
      await fsp.writeFile(etc.hosts, hostsFile(run), { mode: 0o644 });
      await fsp.writeFile(etc.hostname, hostnameFile(run), { mode: 0o644 });
      await fsp.writeFile(etc.resolv, resolvFile(run), { mode: 0o644 });
      const spec = buildSpec({
        image: config,
        run,
        lowerDirs,
        upperDir: p.upper,
        workDir: p.work,
        mappings: this.deps.mappings,
        nofileHard: nofileHardLimit(),
        volumePaths,
        etcFiles: etc,
        initPath: nativeBinary('cove-init'),
      });
      if (run.network.startsWith('container:')) {
        // Joining another container's network namespace means joining its user namespace too (its owner).
        const holder = await this.netnsHolderPid(run.network.slice(10));
        spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'user');
        spec.linux.namespaces.unshift({ type: 'user', path: `/proc/${holder}/ns/user` });
        spec.linux.namespaces.push({ type: 'network', path: `/proc/${holder}/ns/net` });
        delete (spec.linux as Partial<OciSpec['linux']>).uidMappings;
        delete (spec.linux as Partial<OciSpec['linux']>).gidMappings;
      }
      if (spec.process.args.length === 0) {
        throw new EngineError('E_INVALID_ARGUMENT', `image ${reference} has no command; give one, e.g. cove run ${reference} sh`);
      }
      const rec: ContainerRecord = {
        id,
        name,
        image: reference,
        imageId: image.id,
        command: spec.process.args,
        createdAt: new Date().toISOString(),
        autoRemove: opts.autoRemove ?? false,
        runtime,
        config: run,
        restartCount: 0,
      };
      await writeJsonAtomic(p.config, spec);
      // container.json last: until it exists the directory is not a container.
      await this.store.writeRecord(rec);
      return rec;
    }).catch(async (err: unknown) => {
      await fsp.rm(p.root, { recursive: true, force: true }).catch(() => undefined);
      for (const v of created) await this.deps.volumes.remove(v, true).catch(() => undefined);
      throw err;
    });
    this.deps.events.containerChanged('create', record.id);
    return record;
  }

  /** The pid whose network namespace `container:<id>` joins: the other container's init. */
  private async netnsHolderPid(otherId: string): Promise<number> {
    const s = await this.store.status(otherId);
    if (s.state !== 'running' || s.pid === null) {
      throw new EngineError('E_CONTAINER_NOT_RUNNING', `--network container:${otherId.slice(0, 12)} needs that container running`);
    }
    return s.pid;
  }

  /** Names of the volumes a container mounts. */
  static volumesOf(rec: ContainerRecord): string[] {
    return (rec.config?.mounts ?? []).flatMap((m) => (m.type === 'volume' && m.source ? [m.source] : []));
  }

  async usersOfVolume(name: string): Promise<string[]> {
    return (await this.store.records()).filter((r) => ContainerService.volumesOf(r).includes(name)).map((r) => r.name);
  }

  private monitorArgs(rec: ContainerRecord, attachHold = false): MonitorArgs {
    const p = this.store.paths(rec.id);
    return {
      id: rec.id,
      runtime: runtimePath(rec.runtime),
      bundle: p.bundle,
      runtimeRoot: this.runtimeRoot(rec),
      log: p.log,
      exitFile: p.exit,
      pidFile: p.pid,
      attachSocket: p.attach,
      stdin: rec.config?.interactive ?? false,
      attachHold,
      logMaxBytes: rec.config?.logMaxBytes ?? 10 * 1024 * 1024,
      network:
        rec.config?.network === 'slirp4netns'
          ? { apiSocket: p.slirp, portsFile: p.ports, publish: rec.config.ports.map((pt) => `${pt.protocol}:${pt.hostIp}:${pt.hostPort}:${pt.containerPort}`) }
          : null,
    };
  }

  /**
   * Attaches this process's terminal to the container through the
   * monitor's socket (native/build/cove-attach): raw mode, resizes, detach
   * keys. Resolves with cove-attach's status (the container's exit code, 0
   * on detach).
   */
  async attach(query: string, options: AttachOptions = {}): Promise<number> {
    const rec = await this.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state !== 'running' && s.state !== 'paused') throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running; start it first (cove start ${rec.name})`);
    return runAttachClient(this.store.paths(rec.id).attach, options);
  }

  /** docker run -it / -t / -i: start detached with the socket held for us, then attach. */
  async startAndAttach(query: string, detachKeys?: string): Promise<number> {
    const rec = await this.resolve(query);
    const run = rec.config;
    await this.markManualStart(rec);
    await this.startMonitor(rec, true);
    const code = await this.attach(rec.id, {
      ...(detachKeys !== undefined ? { detachKeys } : {}),
      noStdin: !run?.interactive,
      stdinOnce: Boolean(run?.interactive && !run?.tty),
      sigProxy: !run?.tty,
    });
    return code;
  }

  /** Each runtime keeps its own state directory: their state formats differ. */
  private runtimeRoot(rec: ContainerRecord): string {
    return path.join(this.deps.runtimeRoot, rec.runtime === 'cove' ? 'cove' : path.basename(rec.runtime));
  }

  private async prepareStart(rec: ContainerRecord): Promise<void> {
    const status = await this.store.status(rec.id);
    if (status.state === 'running') throw new EngineError('E_CONTAINER_RUNNING', `container ${rec.name} is already running`);
    await ensureDir(this.runtimeRoot(rec));
    // A stale runtime state from a previous run (a killed monitor) would make create fail.
    if (fs.existsSync(path.join(this.runtimeRoot(rec), rec.id))) await this.runtime(rec, ['delete', '--force', rec.id]).catch(() => undefined);
    await this.store.markStarting(rec.id);
  }

  async start(query: string): Promise<ContainerRecord> {
    const rec = await this.resolve(query);
    await this.markManualStart(rec);
    return this.startMonitor(rec);
  }

  private async startMonitor(rec: ContainerRecord, attachHold = false): Promise<ContainerRecord> {
    await this.prepareStart(rec);
    const args = this.monitorArgs(rec, attachHold);
    // No daemon stays behind, so the monitor calls back into Cove when the
    // container exits (conmon's --exit-command) for --rm and --restart.
    if (rec.autoRemove || (rec.config?.restart.name ?? 'no') !== 'no') {
      args.exitCommand = [process.execPath, path.join(installPaths().distDir, 'cove.cjs'), 'container-exited', rec.id];
    }
    try {
      await startDetached(args);
    } catch (err) {
      await this.store.markStartFailed(rec.id);
      throw withRuntimeHint(err, rec);
    }
    const pid = await this.store.readPid(rec.id);
    if (pid !== null) await this.store.markStarted(rec.id, pid);
    this.deps.events.containerChanged('start', rec.id);
    return rec;
  }

  /** Foreground start: output goes to our stdout/stderr; resolves with the exit code. */
  async startAttached(query: string): Promise<{ record: ContainerRecord; exitCode: Promise<number> }> {
    const rec = await this.resolve(query);
    await this.prepareStart(rec);
    let monitorDone = false;
    const waitForPid = async (): Promise<void> => {
      while (!monitorDone) {
        const pid = await this.store.readPid(rec.id);
        if (pid !== null) {
          await this.store.markStarted(rec.id, pid);
          this.deps.events.containerChanged('start', rec.id);
          return;
        }
        await sleep(5);
      }
    };
    const { started, exitCode } = startForeground(this.monitorArgs(rec), waitForPid);
    exitCode.then(
      () => (monitorDone = true),
      () => (monitorDone = true),
    );
    await started.catch(() => undefined);
    const code = exitCode.then(
      (c) => {
        this.deps.events.containerChanged('die', rec.id);
        return c;
      },
      async (err: unknown) => {
        await this.store.markStartFailed(rec.id);
        throw withRuntimeHint(err, rec);
      },
    );
    return { record: rec, exitCode: code };
  }

  async status(id: string): Promise<ContainerStatus> {
    return this.store.status(id);
  }

  async summary(rec: ContainerRecord): Promise<ContainerSummary> {
    const s = await this.store.status(rec.id);
    return {
      id: rec.id,
      name: rec.name,
      image: rec.image,
      imageId: rec.imageId,
      command: rec.command,
      state: s.state,
      status: statusText(s, rec.createdAt),
      exitCode: s.exitCode,
      pid: s.pid,
      createdAt: rec.createdAt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      ports: s.state === 'running' || s.state === 'paused' ? await this.boundPorts(rec) : (rec.config?.ports ?? []),
      labels: rec.config?.labels ?? {},
    };
  }

  async list(all: boolean): Promise<ContainerSummary[]> {
    const out: ContainerSummary[] = [];
    for (const rec of await this.store.records()) {
      const s = await this.summary(rec);
      if (all || s.state === 'running' || s.state === 'paused') out.push(s);
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private runtime(rec: ContainerRecord, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(runtimePath(rec.runtime), ['--root', this.runtimeRoot(rec), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new EngineError('E_RUNTIME_FAILED', stderr.trim() || `cove-runtime ${args[0]} failed`))));
    });
  }

  async kill(query: string, signal?: string): Promise<ContainerRecord> {
    const rec = await this.resolve(query);
    await this.signal(rec, parseSignal(signal));
    return rec;
  }

  /** Sends `sig` through the container's runtime (docker kill's path). */
  private async signal(rec: ContainerRecord, sig: string): Promise<void> {
    const s = await this.store.status(rec.id);
    if ((s.state !== 'running' && s.state !== 'paused') || s.pid === null) throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running`);
    try {
      await this.runtime(rec, ['kill', rec.id, sig]);
    } catch (err) {
      // The runtime's state may be gone while the process lives on (monitor killed): signal it directly.
      try {
        process.kill(s.pid, /^\d+$/.test(sig) ? Number(sig) : `SIG${sig}`);
      } catch {
        throw err;
      }
    }
  }

  /** Waits until the container is no longer running; true if it stopped within the timeout. */
  private async waitStopped(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await this.store.status(id)).state;
      if (state !== 'running' && state !== 'paused') return true;
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
  }

  async wait(query: string): Promise<number | null> {
    const rec = await this.resolve(query);
    await this.waitStopped(rec.id, Number.POSITIVE_INFINITY);
    return (await this.store.status(rec.id)).exitCode;
  }

  /** docker stop: SIGTERM, then SIGKILL after the timeout (default 10 s). */
  async stop(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const rec = await this.resolve(query);
    // Recorded first, so the exit hook does not restart what the user stopped.
    if (!rec.stoppedByUser) {
      rec.stoppedByUser = true;
      await this.store.writeRecord(rec);
    }
    const before = (await this.store.status(rec.id)).state;
    if (before !== 'running' && before !== 'paused') return rec;
    // A stopped process cannot handle SIGTERM: thaw it first, as docker does.
    if (before === 'paused') await this.unpause(rec.id);
    await this.signal(rec, parseSignal(rec.config?.stopSignal ?? 'TERM')).catch(() => undefined);
    timeoutSeconds ??= rec.config?.stopTimeout ?? 10;
    if (!(await this.waitStopped(rec.id, timeoutSeconds * 1000))) {
      await this.signal(rec, 'KILL').catch(() => undefined);
      if (!(await this.waitStopped(rec.id, 10_000))) {
        throw new EngineError('E_RUNTIME_FAILED', `container ${rec.name} did not stop after SIGKILL`);
      }
    }
    await this.settleExit(rec.id);
    this.deps.events.containerChanged('die', rec.id);
    return rec;
  }

  /** Gives the monitor a moment to write exit.json after the process went away. */
  private async settleExit(id: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (fs.existsSync(this.store.paths(id).exit)) return;
      await sleep(10);
    }
  }

  async remove(query: string, force: boolean, removeVolumes = false): Promise<string> {
    const rec = await this.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state === 'running' || s.state === 'paused') {
      if (!force) throw new EngineError('E_CONTAINER_RUNNING', `container ${rec.name} is running; stop it first (cove stop ${rec.name}) or use rm -f`);
      if (s.state === 'paused') await this.unpause(rec.id).catch(() => undefined);
      await this.signal(rec, 'KILL').catch(() => undefined);
      await this.waitStopped(rec.id, 10_000);
      await this.settleExit(rec.id);
    }
    // The monitor deletes the runtime's state when the container exits; only a leftover needs the runtime.
    if (fs.existsSync(path.join(this.runtimeRoot(rec), rec.id))) await this.runtime(rec, ['delete', '--force', rec.id]).catch(() => undefined);
    const p = this.store.paths(rec.id);
    // container.json first: a crash mid-removal leaves a directory that is no longer a container.
    await fsp.rm(p.record, { force: true });
    await removeTree(this.deps.mappings, p.root);
    this.deps.events.containerChanged('remove', rec.id);
    // docker rm -v: anonymous volumes go with their container; named ones never do.
    if (removeVolumes || rec.autoRemove) {
      for (const m of rec.config?.mounts ?? []) {
        if (m.type !== 'volume' || !m.source) continue;
        const v = await this.deps.volumes.inspect(m.source).catch(() => undefined);
        if (v?.anonymous && v.usedBy.length === 0) await this.deps.volumes.remove(v.name).catch(() => undefined);
      }
    }
    return rec.id;
  }

  /** Marks a manual start: the restart policy counts afresh. */
  private async markManualStart(rec: ContainerRecord): Promise<void> {
    if (rec.restartCount === 0 && !rec.stoppedByUser) return;
    rec.restartCount = 0;
    rec.stoppedByUser = false;
    await this.store.writeRecord(rec);
  }



  /**
   * Called by the monitor's exit command once a container has exited:
   * applies the restart policy (docker's delay: 100 ms, doubling, at most
   * a minute), else --rm.
   */
  async exited(query: string): Promise<void> {
    const rec = await this.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state === 'running') return;
    this.deps.events.containerChanged('die', rec.id);
    if (wantsRestart(rec, s.exitCode)) {
      await sleep(restartDelayMs(rec.restartCount));
      const fresh = await this.store.readRecord(rec.id);
      if (!fresh || fresh.stoppedByUser || (await this.store.status(rec.id)).state === 'running') return;
      fresh.restartCount += 1;
      await this.store.writeRecord(fresh);
      await this.startMonitor(fresh);
      return;
    }
    if (rec.autoRemove) await this.remove(rec.id, true);
  }

  /** Containers whose policy says they should run but do not (after a reboot): started by a long-lived engine. */
  async applyRestartPolicies(): Promise<string[]> {
    const started: string[] = [];
    for (const rec of await this.store.records()) {
      const policy = rec.config?.restart.name ?? 'no';
      if ((policy !== 'always' && policy !== 'unless-stopped') || rec.stoppedByUser) continue;
      if ((await this.store.status(rec.id)).state === 'running') continue;
      await this.startMonitor(rec).then(
        () => started.push(rec.name),
        () => undefined,
      );
    }
    return started;
  }

  /** docker restart: stop (TERM, then KILL after the timeout) and start again. */
  async restart(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const rec = await this.stop(query, timeoutSeconds);
    return this.start(rec.id);
  }

  /**
   * Runs a command in a running container through its runtime's `exec`,
   * which joins the user namespace first and re-applies the container's
   * capabilities, no_new_privs, seccomp, user and cwd. Foreground only:
   * stdio is ours (node-pty's slave when a terminal runs it).
   */
  async exec(query: string, opts: ExecOptions): Promise<number> {
    const rec = await this.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state !== 'running') throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running; start it first (cove start ${rec.name})`);
    if (opts.command.length === 0) throw new EngineError('E_INVALID_ARGUMENT', 'exec needs a command, e.g. cove exec -it NAME sh');
    return runExec({ runtime: rec.runtime, runtimeRoot: this.runtimeRoot(rec), id: rec.id, name: rec.name }, opts);
  }

  async inspect(query: string): Promise<ContainerInspect> {
    const rec = await this.resolve(query);
    const p = this.store.paths(rec.id);
    const spec = JSON.parse(await fsp.readFile(p.config, 'utf8')) as OciSpec;
    return inspectView(rec, spec, await this.store.status(rec.id), await this.boundPorts(rec), p.log);
  }


  /** docker top: the container's processes, by host pid, found through its pid namespace. */
  async top(query: string): Promise<TopProcess[]> {
    const rec = await this.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state !== 'running' || s.pid === null) throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running`);
    const ns = pidNamespaceOf(s.pid);
    const pids = ns ? (scanByPidNamespace().get(ns) ?? [s.pid]) : [s.pid];
    return pids
      .map((pid) => readProcEntry(pid))
      .filter((e): e is NonNullable<typeof e> => e !== null)
      .map((e) => ({ pid: e.pid, ppid: e.ppid, uid: e.uid, cpuSeconds: e.cpuTicks / 100, rssBytes: e.rssBytes, state: e.state, command: e.cmdline }))
      .sort((a, b) => a.pid - b.pid);
  }

  private async processes(rec: ContainerRecord): Promise<number[]> {
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
    const rec = await this.resolve(query);
    if ((await this.store.status(rec.id)).state === 'paused') throw new EngineError('E_INVALID_ARGUMENT', `container ${rec.name} is already paused`);
    const pids = await this.processes(rec);
    await fsp.writeFile(this.store.paths(rec.id).paused, new Date().toISOString());
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGSTOP');
      } catch {
        // exited meanwhile
      }
    }
    this.deps.events.containerChanged('update', rec.id);
    return { id: rec.id, note: 'no cgroup freezer (cgroups are not delegated here): paused with SIGSTOP' };
  }

  async unpause(query: string): Promise<{ id: string }> {
    const rec = await this.resolve(query);
    if ((await this.store.status(rec.id)).state !== 'paused') throw new EngineError('E_INVALID_ARGUMENT', `container ${rec.name} is not paused`);
    for (const pid of await this.processes(rec)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // exited meanwhile
      }
    }
    await fsp.rm(this.store.paths(rec.id).paused, { force: true });
    this.deps.events.containerChanged('update', rec.id);
    return { id: rec.id };
  }

  async rename(query: string, name: string): Promise<ContainerRecord> {
    if (!NAME_RE.test(name)) throw new EngineError('E_INVALID_ARGUMENT', `invalid container name "${name}": use letters, digits, _ . - and start with a letter or digit`);
    const renamed = await withLock(this.deps.lockFile, async () => {
      const rec = await this.resolve(query);
      if ((await this.store.records()).some((r) => r.name === name && r.id !== rec.id)) {
        throw new EngineError('E_NAME_IN_USE', `the name "${name}" is already used by a container`);
      }
      rec.name = name;
      await this.store.writeRecord(rec);
      return rec;
    });
    this.deps.events.containerChanged('update', renamed.id);
    return renamed;
  }

  /** docker container prune: every container that is not running. */
  async prune(): Promise<string[]> {
    const removed: string[] = [];
    for (const rec of await this.store.records()) {
      const s = await this.store.status(rec.id);
      if (s.state === 'exited' || s.state === 'created') {
        await this.remove(rec.id, false, true);
        removed.push(rec.id);
      }
    }
    return removed;
  }

  /** Runs a command in the running container with piped stdio (cp uses the container's own tar). */
  private async execPiped(rec: ContainerRecord, command: string[]): Promise<ChildProcess> {
    const s = await this.store.status(rec.id);
    if (s.state !== 'running') throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} must be running for cp (it copies through the container's own tar)`);
    return spawn(runtimePath(rec.runtime), ['--root', this.runtimeRoot(rec), 'exec', rec.id, ...command], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  async copyIn(query: string, hostSource: string, containerDest: string): Promise<void> {
    const rec = await this.resolve(query);
    const { copyIn } = await files();
    await copyIn((cmd) => this.execPiped(rec, cmd), hostSource, containerDest);
  }

  async copyOut(query: string, containerSource: string, hostDest: string): Promise<void> {
    const rec = await this.resolve(query);
    const { copyOut } = await files();
    await copyOut((cmd) => this.execPiped(rec, cmd), containerSource, hostDest, nativeBinary('cove-layer-tool'));
  }

  private async lowerDirs(rec: ContainerRecord): Promise<string[]> {
    return this.deps.images.layerDiffs(await this.deps.images.resolve(rec.imageId)).reverse();
  }

  async diff(query: string): Promise<DiffEntry[]> {
    const rec = await this.resolve(query);
    // Mount points Cove itself creates are not the container's changes (docker hides them too).
    const own = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/run/cove-init', ...(rec.config?.mounts ?? []).map((m) => m.target)]);
    const { diffUpper } = await files();
    const entries = await diffUpper(this.deps.mappings, this.store.paths(rec.id).upper, await this.lowerDirs(rec));
    return entries.filter((e) => !own.has(e.path));
  }

  async export(query: string, out: NodeJS.WritableStream, scratch: string): Promise<void> {
    const rec = await this.resolve(query);
    const { exportFilesystem } = await files();
    await exportFilesystem(this.deps.mappings, scratch, this.store.paths(rec.id).upper, await this.lowerDirs(rec), out);
  }

  /** docker port: the published ports as the monitor bound them (random host ports filled in). */
  async ports(query: string): Promise<PortSpec[]> {
    const rec = await this.resolve(query);
    return this.boundPorts(rec);
  }

  private async boundPorts(rec: ContainerRecord): Promise<PortSpec[]> {
    const bound = await readJsonFile<Array<{ protocol: 'tcp' | 'udp'; hostIp: string; hostPort: number; containerPort: number }>>(this.store.paths(rec.id).ports).catch(() => undefined);
    return bound ?? rec.config?.ports ?? [];
  }

  /** Running containers and their init pids, for the stats sampler. */
  async running(): Promise<Array<{ id: string; pid: number }>> {
    const out: Array<{ id: string; pid: number }> = [];
    for (const id of await this.store.ids()) {
      const s = await this.store.status(id).catch(() => undefined);
      if (s?.state === 'running' && s.pid !== null) out.push({ id, pid: s.pid });
    }
    return out;
  }

  async logs(query: string, tail?: number): Promise<LogLine[]> {
    const rec = await this.resolve(query);
    const p = this.store.paths(rec.id);
    const rotated = await fsp.readFile(`${p.log}.1`, 'utf8').catch(() => '');
    const current = await fsp.readFile(p.log, 'utf8').catch(() => '');
    const lines = parseCriLog(rotated + current);
    return tail === undefined ? lines : lines.slice(Math.max(0, lines.length - tail));
  }

  logPath(id: string): string {
    return this.store.paths(id).log;
  }

  async usersOfImage(imageId: string): Promise<string[]> {
    return (await this.store.records()).filter((r) => r.imageId === imageId).map((r) => r.name);
  }

  containersDir(): string {
    return this.store.dir;
  }

  containerDir(id: string): string {
    return path.dirname(this.store.paths(id).record);
  }
}

/** cp/diff/export pull in tar-stream: loaded only when used, to keep `cove run` quick to start. */
function files(): Promise<typeof import('./container-files.js')> {
  return import('./container-files.js');
}

