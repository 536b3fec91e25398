// cove machine: create, start, stop, remove, list, inspect and change Cove VMs.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../errors.js';
import { installPaths } from '../install-paths.js';
import { syncGuest } from './agent-client.js';
import { chooseAccelerator, type AccelChoice } from './accel.js';
import { DEFAULT_MACHINE, MACHINE_DEFAULTS, MachineStore, liveState, pidAlive, validateConfig, validateName, type MachineConfig, type MachineState } from './machine-store.js';
import { guestEnvFile } from './qemu-args.js';
import { connectQmp } from './qmp.js';
import { findQemu } from './qemu-binary.js';
import { bootTimeoutMs } from './supervisor.js';
import { findVmImage } from './vm-image.js';

export interface MachineView {
  name: string;
  state: 'running' | 'starting' | 'stopped';
  config: MachineConfig;
  runtime: MachineState | null;
  image: { dir: string; key: string; sizeBytes: number } | null;
  paths: { dir: string; console: string; supervisorLog: string; dataDisk: string };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export class MachineService {
  readonly store: MachineStore;
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    this.store = new MachineStore(env);
  }

  async init(name = DEFAULT_MACHINE, opts: Partial<Pick<MachineConfig, 'cpus' | 'memoryMb' | 'diskGb'>> = {}): Promise<MachineConfig> {
    validateName(name);
    if (await this.store.exists(name)) throw new EngineError('E_MACHINE_EXISTS', `machine "${name}" already exists`);
    const config: MachineConfig = { name, cpus: opts.cpus ?? MACHINE_DEFAULTS.cpus, memoryMb: opts.memoryMb ?? MACHINE_DEFAULTS.memoryMb, diskGb: opts.diskGb ?? MACHINE_DEFAULTS.diskGb, createdAt: new Date().toISOString() };
    validateConfig(config);
    findVmImage();
    const { qemuImg } = findQemu();
    const dir = this.store.dir(name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A sparse qcow2: it takes the space its data takes, up to the size given.
    const r = spawnSync(qemuImg, ['create', '-q', '-f', 'qcow2', this.store.file(name, 'data.qcow2'), `${config.diskGb}G`], { encoding: 'utf8' });
    if (r.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new EngineError('E_INTERNAL', `qemu-img create failed: ${r.stderr}`);
    }
    // machine.json last: a machine exists once its settings do.
    await this.store.writeConfig(config);
    return config;
  }

  async view(name: string): Promise<MachineView> {
    const config = await this.store.config(name);
    const runtime = (await liveState(this.store, name)) ?? null;
    let image: MachineView['image'] = null;
    try {
      const img = findVmImage();
      image = { dir: img.dir, key: img.key, sizeBytes: img.sizeBytes };
    } catch {
      // shown as null: start will say how to build it
    }
    return {
      name,
      state: runtime ? (runtime.readyAt ? 'running' : 'starting') : 'stopped',
      config,
      runtime,
      image,
      paths: { dir: this.store.dir(name), console: this.store.file(name, 'console.log'), supervisorLog: this.store.file(name, 'supervisor.log'), dataDisk: this.store.file(name, 'data.qcow2') },
    };
  }

  async list(): Promise<MachineView[]> {
    return Promise.all((await this.store.list()).map((n) => this.view(n)));
  }

  /** Starts the VM and waits until its agent answers; `progress` gets one line per phase. */
  async start(name = DEFAULT_MACHINE, progress: (line: string) => void = () => undefined): Promise<MachineView & { bootSeconds: number; accel: AccelChoice }> {
    await this.store.config(name);
    const running = await liveState(this.store, name);
    if (running?.readyAt) throw new EngineError('E_MACHINE_RUNNING', `machine "${name}" is already running`);
    if (running) throw new EngineError('E_MACHINE_RUNNING', `machine "${name}" is starting`);
    const image = findVmImage();
    const { qemu } = findQemu();
    const accel = await chooseAccelerator({ qemu, kernel: image.kernel, runtimeDir: this.store.runtime });
    progress(`accelerator: ${accel.accelerator} (${accel.reason})`);
    const share = this.store.file(name, 'share');
    fs.rmSync(share, { recursive: true, force: true });
    fs.mkdirSync(share, { mode: 0o700 });
    // A new token per boot: the agent's port is a loopback TCP port any local user could reach.
    fs.writeFileSync(path.join(share, 'token'), randomBytes(32).toString('hex'), { mode: 0o600 });
    const user = os.userInfo();
    fs.writeFileSync(
      path.join(share, 'env'),
      guestEnvFile({
        COVE_USER: user.username,
        COVE_UID: user.uid,
        COVE_GID: user.gid,
        COVE_HOST_HOME: os.homedir(),
        COVE_HOSTNAME: `cove-${name}`.slice(0, 63),
        COVE_TIME: Math.floor(Date.now() / 1000),
        COVE_TZ: Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
      }),
      { mode: 0o600 },
    );
    fs.mkdirSync(this.store.runtime, { recursive: true, mode: 0o700 });
    const t0 = Date.now();
    const logFd = fs.openSync(this.store.file(name, 'supervisor.log'), 'w', 0o600);
    const sup = spawn(process.execPath, [path.join(installPaths().distDir, 'cove.cjs'), 'machine', '__supervise', name, accel.accelerator, accel.reason], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      // The supervisor finds the machine where this service does (an engine opened on another home).
      env: this.env,
    });
    fs.closeSync(logFd);
    sup.unref();
    progress(`booting (console: ${this.store.file(name, 'console.log')})`);
    const deadline = Date.now() + bootTimeoutMs(accel.accelerator) + 10_000;
    for (;;) {
      const s = await this.store.state(name).catch(() => undefined);
      if (s?.readyAt && s.supervisorPid === sup.pid) break;
      if (!pidAlive(sup.pid) || Date.now() > deadline) {
        if (pidAlive(sup.pid)) process.kill(sup.pid as number, 'SIGTERM');
        const con = tail(this.store.file(name, 'console.log'));
        const slog = tail(this.store.file(name, 'supervisor.log'), 5);
        throw new EngineError('E_MACHINE_BOOT', `machine "${name}" did not become ready${Date.now() > deadline ? ' in time' : ''}\n--- console ---\n${con}\n--- supervisor ---\n${slog}`);
      }
      await sleep(200);
    }
    const bootSeconds = (Date.now() - t0) / 1000;
    return { ...(await this.view(name)), bootSeconds, accel };
  }

  async stop(name = DEFAULT_MACHINE): Promise<boolean> {
    await this.store.config(name);
    const s = await liveState(this.store, name);
    if (!s) return false;
    if (s.readyAt) await syncGuest({ port: s.agentPort, token: this.token(name) }).catch(() => undefined);
    try {
      const qmp = await connectQmp(s.qmpSocket, 3000);
      await qmp.execute('quit').catch(() => undefined);
      qmp.close();
    } catch {
      if (pidAlive(s.qemuPid)) process.kill(s.qemuPid as number, 'SIGTERM');
    }
    const deadline = Date.now() + 20_000;
    while ((pidAlive(s.qemuPid) || pidAlive(s.supervisorPid)) && Date.now() < deadline) await sleep(100);
    for (const pid of [s.qemuPid, s.supervisorPid]) if (pidAlive(pid)) process.kill(pid as number, 'SIGKILL');
    while (pidAlive(s.qemuPid) || pidAlive(s.supervisorPid)) await sleep(50);
    for (const sock of [s.qmpSocket, s.apiSocket]) if (sock) fs.rmSync(sock, { force: true });
    await this.store.clearState(name);
    return true;
  }

  async rm(name = DEFAULT_MACHINE, force = false): Promise<void> {
    await this.store.config(name);
    if (await liveState(this.store, name)) {
      if (!force) throw new EngineError('E_MACHINE_RUNNING', `machine "${name}" is running: stop it first or use rm -f`);
      await this.stop(name);
    }
    // machine.json first: a half-removed machine is no machine, never a broken one.
    fs.rmSync(this.store.file(name, 'machine.json'), { force: true });
    fs.rmSync(this.store.dir(name), { recursive: true, force: true });
  }

  async set(name: string, changes: Partial<Pick<MachineConfig, 'cpus' | 'memoryMb' | 'diskGb'>>): Promise<MachineConfig> {
    const config = await this.store.config(name);
    if (await liveState(this.store, name)) throw new EngineError('E_MACHINE_RUNNING', `machine "${name}" is running: stop it to change its settings`);
    const next = { ...config, ...changes };
    validateConfig(next);
    if (next.diskGb < config.diskGb) throw new EngineError('E_INVALID_ARGUMENT', `the disk can only grow (it is ${config.diskGb} GB)`);
    if (next.diskGb > config.diskGb) {
      const r = spawnSync(findQemu().qemuImg, ['resize', '-q', this.store.file(name, 'data.qcow2'), `${next.diskGb}G`], { encoding: 'utf8' });
      if (r.status !== 0) throw new EngineError('E_INTERNAL', `qemu-img resize failed: ${r.stderr}`);
    }
    await this.store.writeConfig(next);
    return next;
  }

  /** Waits for a machine another process is starting (the on-demand start of two commands at once). */
  async waitReady(name: string, timeoutMs = 330_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await liveState(this.store, name);
      if (!s) throw new EngineError('E_MACHINE_BOOT', `machine "${name}" stopped while starting (its log: ${this.store.file(name, 'supervisor.log')})`);
      if (s.readyAt) return;
      if (Date.now() > deadline) throw new EngineError('E_MACHINE_BOOT', `machine "${name}" did not become ready in time`);
      await sleep(200);
    }
  }

  token(name: string): string {
    return fs.readFileSync(path.join(this.store.file(name, 'share'), 'token'), 'utf8').trim();
  }

  /** The agent of a running machine, or E_MACHINE_NOT_RUNNING. */
  async endpoint(name = DEFAULT_MACHINE): Promise<{ port: number; token: string }> {
    await this.store.config(name);
    const s = await liveState(this.store, name);
    if (!s?.readyAt) throw new EngineError('E_MACHINE_NOT_RUNNING', `machine "${name}" is not running: start it with 'cove machine start${name === DEFAULT_MACHINE ? '' : ` ${name}`}'`);
    return { port: s.agentPort, token: this.token(name) };
  }
}
