import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from '../errors.js';
import { runtimePath } from '../runtimes.js';
import type { ContainerRecord, ContainerStore } from './container-store.js';
import type { MonitorArgs } from './monitor-launcher.js';
import { healthMonitorArgs } from './health-config.js';

/** The OCI runtime's commands for one store: state roots, delete, kill, exec, and the monitor's arguments. */
export class RuntimeOps {
  constructor(
    private readonly store: ContainerStore,
    private readonly stateRoot: string,
  ) {}

  /** Each runtime keeps its own state directory: their state formats differ. */
  root(rec: ContainerRecord): string {
    return path.join(this.stateRoot, rec.runtime === 'cove' ? 'cove' : path.basename(rec.runtime));
  }

  hasState(rec: ContainerRecord): boolean {
    return fs.existsSync(path.join(this.root(rec), rec.id));
  }

  run(rec: ContainerRecord, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(runtimePath(rec.runtime), ['--root', this.root(rec), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new EngineError('E_RUNTIME_FAILED', stderr.trim() || `cove-runtime ${args[0]} failed`))));
    });
  }

  /** Sends `sig` through the container's runtime (docker kill's path). */
  async signal(rec: ContainerRecord, sig: string): Promise<void> {
    const s = await this.store.status(rec.id);
    if ((s.state !== 'running' && s.state !== 'paused') || s.pid === null) throw new EngineError('E_CONTAINER_NOT_RUNNING', `container ${rec.name} is not running`);
    try {
      await this.run(rec, ['kill', rec.id, sig]);
    } catch (err) {
      // The runtime's state may be gone while the process lives on (monitor killed): signal it directly.
      try {
        process.kill(s.pid, /^\d+$/.test(sig) ? Number(sig) : `SIG${sig}`);
      } catch {
        throw err;
      }
    }
  }

  /** A command in the running container with piped stdio (cp uses the container's own tar). */
  execPiped(rec: ContainerRecord, command: string[]): ChildProcess {
    return spawn(runtimePath(rec.runtime), ['--root', this.root(rec), 'exec', rec.id, ...command], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  monitorArgs(rec: ContainerRecord, attachHold = false): MonitorArgs {
    const p = this.store.paths(rec.id);
    return {
      id: rec.id,
      runtime: runtimePath(rec.runtime),
      bundle: p.bundle,
      runtimeRoot: this.root(rec),
      log: p.log,
      exitFile: p.exit,
      pidFile: p.pid,
      instanceLock: p.monitorLock,
      attachSocket: p.attach,
      stdin: rec.config?.interactive ?? false,
      attachHold,
      logMaxBytes: rec.config?.logMaxBytes ?? 10 * 1024 * 1024,
      network:
        rec.config?.network === 'slirp4netns'
          ? { apiSocket: p.slirp, portsFile: p.ports, publish: rec.config.ports.map((pt) => `${pt.protocol}:${pt.hostIp}:${pt.hostPort}:${pt.containerPort}`) }
          : null,
      ...(rec.config?.healthcheck ? { health: healthMonitorArgs(rec.config.healthcheck, p.health, p.paused) } : {}),
    };
  }
}
