// Machines on disk: <data dir>/machines/<name>/machine.json (the settings),
// state.json (the running VM: supervisor and QEMU pids, ports, accelerator),
// data.qcow2 (the engine's store in the VM), share/ (the config the VM reads
// at boot), console.log and supervisor.log. JSON files are written temp +
// fsync + rename, so a kill at any moment leaves the old or the new file.
import fs from 'node:fs/promises';
import path from 'node:path';
import { EngineError, isNodeError } from '../errors.js';
import { ensureDir, readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import { resolvePaths } from '../paths.js';

export const DEFAULT_MACHINE = 'cove';

export interface MachineConfig {
  name: string;
  cpus: number;
  memoryMb: number;
  diskGb: number;
  createdAt: string;
}

export type Accelerator = 'kvm' | 'tcg' | 'hvf' | 'whpx';

export interface MachineState {
  supervisorPid: number;
  qemuPid: number | null;
  agentPort: number;
  accelerator: Accelerator;
  /** Why this accelerator (e.g. the KVM probe hung, so TCG). */
  acceleratorReason?: string;
  startedAt: string;
  readyAt: string | null;
  kernel: string | null;
  /** Host ports forwarded to the VM for published container ports. */
  forwarded: Array<{ protocol: 'tcp' | 'udp'; hostPort: number }>;
  qmpSocket: string;
  apiSocket: string | null;
}

export const MACHINE_DEFAULTS = { cpus: 2, memoryMb: 2048, diskGb: 20 } as const;

export function validateName(name: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name)) throw new EngineError('E_INVALID_ARGUMENT', `invalid machine name "${name}": use letters, digits, '_', '.', '-' (up to 63)`);
  return name;
}

export function validateConfig(c: Pick<MachineConfig, 'cpus' | 'memoryMb' | 'diskGb'>): void {
  if (!Number.isInteger(c.cpus) || c.cpus < 1 || c.cpus > 64) throw new EngineError('E_INVALID_ARGUMENT', `--cpus must be a whole number from 1 to 64, not ${c.cpus}`);
  if (!Number.isInteger(c.memoryMb) || c.memoryMb < 256 || c.memoryMb > 1 << 20) throw new EngineError('E_INVALID_ARGUMENT', `--memory is in MB, at least 256, not ${c.memoryMb}`);
  if (!Number.isInteger(c.diskGb) || c.diskGb < 1 || c.diskGb > 4096) throw new EngineError('E_INVALID_ARGUMENT', `--disk-size is in GB, from 1 to 4096, not ${c.diskGb}`);
}

export class MachineStore {
  readonly root: string;
  readonly runtime: string;
  constructor(env: NodeJS.ProcessEnv = process.env) {
    const p = resolvePaths(env);
    this.root = path.join(p.home, 'machines');
    this.runtime = p.runtime;
  }

  dir(name: string): string {
    return path.join(this.root, validateName(name));
  }

  file(name: string, f: 'machine.json' | 'state.json' | 'data.qcow2' | 'console.log' | 'supervisor.log' | 'share'): string {
    return path.join(this.dir(name), f);
  }

  /** Sockets live in the runtime dir (0700): short paths (sun_path is 108 bytes) that die with the boot. */
  socket(name: string, kind: 'qmp' | 'api'): string {
    return path.join(this.runtime, `machine-${validateName(name)}.${kind === 'qmp' ? 'qmp' : 'sock'}`);
  }

  async list(): Promise<string[]> {
    try {
      const names = await fs.readdir(this.root);
      const out: string[] = [];
      for (const n of names.sort()) if (await this.exists(n)) out.push(n);
      return out;
    } catch (err) {
      if (isNodeError(err, 'ENOENT')) return [];
      throw err;
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await fs.access(this.file(name, 'machine.json'));
      return true;
    } catch {
      return false;
    }
  }

  async config(name: string): Promise<MachineConfig> {
    const c = await readJsonFile<MachineConfig>(this.file(name, 'machine.json'));
    if (!c) throw new EngineError('E_MACHINE_NOT_FOUND', `no machine "${name}": create it with 'cove machine init${name === DEFAULT_MACHINE ? '' : ` ${name}`}'`);
    return c;
  }

  async writeConfig(c: MachineConfig): Promise<void> {
    await ensureDir(this.dir(c.name));
    await writeJsonAtomic(this.file(c.name, 'machine.json'), c);
  }

  async state(name: string): Promise<MachineState | undefined> {
    return readJsonFile<MachineState>(this.file(name, 'state.json'));
  }

  async writeState(name: string, s: MachineState): Promise<void> {
    await writeJsonAtomic(this.file(name, 'state.json'), s);
  }

  async clearState(name: string): Promise<void> {
    await fs.rm(this.file(name, 'state.json'), { force: true });
  }
}

export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isNodeError(err, 'EPERM');
  }
}

/** The state of a running machine, or undefined (a state file whose supervisor died is stale). */
export async function liveState(store: MachineStore, name: string): Promise<MachineState | undefined> {
  const s = await store.state(name);
  if (!s) return undefined;
  if (!pidAlive(s.supervisorPid) && !pidAlive(s.qemuPid)) {
    await store.clearState(name);
    return undefined;
  }
  return s;
}
