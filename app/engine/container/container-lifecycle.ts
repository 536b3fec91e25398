import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, isNodeError } from '../errors.js';
import { ensureDir } from '../fs-atomic.js';
import type { IdMappings } from '../idmap.js';
import { installPaths } from '../install-paths.js';
import { withLock } from '../store/lock.js';
import { removeTree } from '../userns.js';
import type { VolumeService } from '../volume/volume-service.js';
import { prepareContainerNetwork } from '../network/container-network.js';
import type { NetworkService } from '../network/network-service.js';
import type { ContainerProcesses } from './container-processes.js';
import type { ContainerEvents, ContainerRecords } from './container-records.js';
import type { ContainerRecord } from './container-store.js';
import { withRuntimeHint } from './container-support.js';
import { startDetached, startForeground } from './monitor-launcher.js';
import { restartDelayMs, wantsRestart } from './restart-policy.js';
import type { RuntimeOps } from './runtime-ops.js';
import { parseSignal } from './signals.js';
import { waitForState } from './state-wait.js';

export interface LifecycleDeps {
  records: ContainerRecords;
  runtime: RuntimeOps;
  processes: ContainerProcesses;
  mappings: IdMappings;
  volumes: VolumeService;
  events: ContainerEvents;
  networks: NetworkService;
}

const isUp = (state: string): boolean => state === 'running' || state === 'paused';

/**
 * Start, stop, restart policy and removal. Each of them holds the
 * container's state.lock (flock), so two starts, or a start and a stop,
 * of one container never interleave.
 */
export class ContainerLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  private get store() {
    return this.d.records.store;
  }

  private withStateLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const lock = this.store.paths(id).stateLock;
    return withLock(lock, fn, 60_000).catch((err: unknown) => {
      // Its directory is gone: removed by another command meanwhile.
      if (isNodeError(err, 'ENOENT') && (err as NodeJS.ErrnoException).path === lock) {
        throw new EngineError('E_CONTAINER_NOT_FOUND', `container ${id.slice(0, 12)} was removed meanwhile`, { cause: err });
      }
      throw err;
    });
  }

  async start(query: string): Promise<ContainerRecord> {
    const rec = await this.d.records.resolve(query);
    return this.withStateLock(rec.id, async () => this.startMonitor(await this.markManualStart(rec.id)));
  }

  /** Starts with the monitor holding the output until the first attach client (docker's attach-then-start). */
  async startHeld(query: string): Promise<ContainerRecord> {
    const rec = await this.d.records.resolve(query);
    return this.withStateLock(rec.id, async () => this.startMonitor(await this.markManualStart(rec.id), true));
  }

  /** docker run -it / -t / -i: start detached with the socket held for us, then attach. */
  async startAndAttach(query: string, detachKeys?: string): Promise<number> {
    const rec = await this.startHeld(query);
    const run = rec.config;
    return this.d.processes.attach(rec.id, {
      ...(detachKeys !== undefined ? { detachKeys } : {}),
      noStdin: !run?.interactive,
      stdinOnce: Boolean(run?.interactive && !run?.tty),
      sigProxy: !run?.tty,
    });
  }

  /** Foreground start: output goes to our stdout/stderr; resolves with the exit code. */
  async startAttached(query: string): Promise<{ record: ContainerRecord; exitCode: Promise<number> }> {
    const rec = await this.d.records.resolve(query);
    const p = this.store.paths(rec.id);
    const { exitCode } = await this.withStateLock(rec.id, async () => {
      await this.prepareStart(rec);
      let monitorDone = false;
      const waitForPid = async (): Promise<void> => {
        await waitForState(p.root, async () => monitorDone || (await this.store.readPid(rec.id)) !== null, Number.POSITIVE_INFINITY);
        const pid = await this.store.readPid(rec.id);
        if (pid === null) return;
        await this.store.markStarted(rec.id, pid);
        this.d.events.containerChanged('start', rec.id);
      };
      const args = this.d.runtime.monitorArgs(rec);
      args.netHook = await this.netHook(rec).catch(async (err: unknown) => {
        await this.store.markStartFailed(rec.id);
        throw err;
      });
      const run = startForeground(args, waitForPid);
      const settle = (): void => {
        monitorDone = true;
      };
      run.exitCode.then(settle, settle);
      await run.started.catch(() => undefined);
      // Wrapped: returned bare, the promise would be awaited under the lock.
      return { exitCode: run.exitCode };
    });
    const code = exitCode.then(
      (c) => {
        this.d.events.containerChanged('die', rec.id);
        return c;
      },
      async (err: unknown) => {
        await this.store.markStartFailed(rec.id);
        throw withRuntimeHint(err, rec);
      },
    );
    return { record: rec, exitCode: code };
  }

  /** Marks a manual start: the restart policy counts afresh. */
  private markManualStart(id: string): Promise<ContainerRecord> {
    return this.d.records.update(id, (r) => {
      if (r.restartCount === 0 && !r.stoppedByUser) return false;
      r.restartCount = 0;
      r.stoppedByUser = false;
      return true;
    });
  }

  private async prepareStart(rec: ContainerRecord): Promise<void> {
    const status = await this.store.status(rec.id);
    if (status.state === 'running') throw new EngineError('E_CONTAINER_RUNNING', `container ${rec.name} is already running`);
    await ensureDir(this.d.runtime.root(rec));
    // A stale runtime state from a previous run (a killed monitor) would make create fail.
    if (this.d.runtime.hasState(rec)) await this.d.runtime.run(rec, ['delete', '--force', rec.id]).catch(() => undefined);
    await this.store.markStarting(rec.id);
  }

  private netHook(rec: ContainerRecord): Promise<string[] | null> {
    const p = this.store.paths(rec.id);
    return prepareContainerNetwork(this.d.networks, rec, { config: p.config, ports: p.ports });
  }

  /** Call with the state lock held. */
  private async startMonitor(rec: ContainerRecord, attachHold = false): Promise<ContainerRecord> {
    await this.prepareStart(rec);
    const args = this.d.runtime.monitorArgs(rec, attachHold);
    args.netHook = await this.netHook(rec).catch(async (err: unknown) => {
      await this.store.markStartFailed(rec.id);
      throw err;
    });
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
    this.d.events.containerChanged('start', rec.id);
    return rec;
  }

  /** Waits until the container is no longer running; true if it stopped within the timeout. */
  private waitStopped(id: string, timeoutMs: number): Promise<boolean> {
    return waitForState(this.store.paths(id).root, async () => !isUp((await this.store.status(id)).state), timeoutMs);
  }

  /** Gives the monitor a moment to write exit.json after the process went away. */
  private async settleExit(id: string): Promise<void> {
    const exit = this.store.paths(id).exit;
    await waitForState(path.dirname(exit), async () => fs.existsSync(exit), 1000);
  }

  async wait(query: string): Promise<number | null> {
    const rec = await this.d.records.resolve(query);
    await this.waitStopped(rec.id, Number.POSITIVE_INFINITY);
    // The process is gone a moment before the monitor records its status: read the recorded one.
    // (Not for a --rm container already removed: its exit file will never come.)
    const s = await this.store.status(rec.id);
    if (s.exitCode !== null && s.exitCode >= 0) return s.exitCode;
    await this.settleExit(rec.id);
    return (await this.store.status(rec.id)).exitCode;
  }

  /** docker stop: SIGTERM, then SIGKILL after the timeout (default 10 s). */
  async stop(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const found = await this.d.records.resolve(query);
    return this.withStateLock(found.id, async () => {
      // On a full disk the space kept at start lets the record and the monitor's exit.json still be written.
      await this.store.freeReserve(found.id);
      // Recorded first, so the exit hook does not restart what the user stopped. A disk
      // too full even for that must not keep the container running.
      const rec = await this.d.records
        .update(found.id, (r) => {
          if (r.stoppedByUser) return false;
          r.stoppedByUser = true;
          return true;
        })
        .catch((err: unknown) => {
          if (err instanceof EngineError && err.code === 'E_NO_SPACE') return found;
          throw err;
        });
      const before = (await this.store.status(rec.id)).state;
      if (!isUp(before)) return rec;
      // A stopped process cannot handle SIGTERM: thaw it first, as docker does.
      if (before === 'paused') await this.d.processes.unpause(rec.id);
      await this.d.runtime.signal(rec, parseSignal(rec.config?.stopSignal ?? 'TERM')).catch(() => undefined);
      timeoutSeconds ??= rec.config?.stopTimeout ?? 10;
      if (!(await this.waitStopped(rec.id, timeoutSeconds * 1000))) {
        await this.d.runtime.signal(rec, 'KILL').catch(() => undefined);
        if (!(await this.waitStopped(rec.id, 10_000))) {
          throw new EngineError('E_RUNTIME_FAILED', `container ${rec.name} did not stop after SIGKILL`);
        }
      }
      await this.settleExit(rec.id);
      this.d.events.containerChanged('die', rec.id);
      return rec;
    });
  }

  /** docker restart: stop (TERM, then KILL after the timeout) and start again. */
  async restart(query: string, timeoutSeconds?: number): Promise<ContainerRecord> {
    const rec = await this.stop(query, timeoutSeconds);
    return this.start(rec.id);
  }

  async remove(query: string, force: boolean, removeVolumes = false): Promise<string> {
    const rec = await this.d.records.resolve(query);
    await this.withStateLock(rec.id, async () => {
      const s = await this.store.status(rec.id);
      if (isUp(s.state)) {
        if (!force) throw new EngineError('E_CONTAINER_RUNNING', `container ${rec.name} is running; stop it first (cove stop ${rec.name}) or use rm -f`);
        if (s.state === 'paused') await this.d.processes.unpause(rec.id).catch(() => undefined);
        await this.d.runtime.signal(rec, 'KILL').catch(() => undefined);
        await this.waitStopped(rec.id, 10_000);
        await this.settleExit(rec.id);
      }
      // The monitor deletes the runtime's state when the container exits; only a leftover needs the runtime.
      if (this.d.runtime.hasState(rec)) await this.d.runtime.run(rec, ['delete', '--force', rec.id]).catch(() => undefined);
      const p = this.store.paths(rec.id);
      // container.json first: a crash mid-removal leaves a directory that is no longer a container.
      await this.d.records.locked(() => fsp.rm(p.record, { force: true }));
      await removeTree(this.d.mappings, p.root);
      await this.d.networks.release(rec.id);
    });
    this.d.events.containerChanged('remove', rec.id);
    // docker rm -v: anonymous volumes go with their container; named ones never do.
    if (removeVolumes || rec.autoRemove) {
      for (const m of rec.config?.mounts ?? []) {
        if (m.type !== 'volume' || !m.source) continue;
        const v = await this.d.volumes.inspect(m.source).catch(() => undefined);
        if (v?.anonymous && v.usedBy.length === 0) await this.d.volumes.remove(v.name).catch(() => undefined);
      }
    }
    return rec.id;
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

  /**
   * Called by the monitor's exit command once a container has exited:
   * applies the restart policy (docker's delay: 100 ms, doubling, at most
   * a minute), else --rm.
   */
  async exited(query: string): Promise<void> {
    const rec = await this.d.records.resolve(query);
    const s = await this.store.status(rec.id);
    if (s.state === 'running') return;
    this.d.events.containerChanged('die', rec.id);
    if (wantsRestart(rec, s.exitCode)) {
      // The policy's back-off delay, not a poll: docker waits the same way.
      await sleep(restartDelayMs(rec.restartCount));
      await this.withStateLock(rec.id, async () => {
        if ((await this.store.status(rec.id)).state === 'running') return;
        let go = false;
        const fresh = await this.d.records.update(rec.id, (r) => {
          if (r.stoppedByUser) return false;
          r.restartCount += 1;
          go = true;
          return true;
        });
        if (go) await this.startMonitor(fresh);
      });
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
      await this.withStateLock(rec.id, () => this.startMonitor(rec)).then(
        () => started.push(rec.name),
        () => undefined,
      );
    }
    return started;
  }
}
