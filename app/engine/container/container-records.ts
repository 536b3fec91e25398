import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ContainerAction, ContainerInspect, ContainerSummary, LogLine } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { readJsonFile } from '../fs-atomic.js';
import { withLock } from '../store/lock.js';
import { inspectView } from './container-inspect.js';
import { wasOomKilled } from './cgroup-limits.js';
import type { ContainerRecord, ContainerStatus, ContainerStore } from './container-store.js';
import { ContainerListCache } from './container-list-cache.js';
import { readFacts, summarize } from './container-summary.js';
import { sameProcessAlive } from './proc.js';
import { parseCriLog } from './cri-log.js';
import { readHealth } from './health-state.js';
import { NAME_RE } from './names.js';
import type { OciSpec } from './oci-spec.js';
import type { PortSpec } from './run-options.js';

export interface ContainerEvents {
  containerChanged(action: ContainerAction, id: string): void;
}

/**
 * Container records: lookups, views, and the one path that changes a
 * container.json after create (`update`, under containers.lock), so that a
 * stop and a rename that race both land.
 */
export class ContainerRecords {
  /** The list kept in memory while a store watcher reports changes (a long-lived engine). */
  readonly listCache: ContainerListCache;

  constructor(
    readonly store: ContainerStore,
    private readonly lockFile: string,
    private readonly events: ContainerEvents,
  ) {
    this.listCache = new ContainerListCache(store);
  }

  /** Runs `fn` holding containers.lock: names are unique, records change one writer at a time. */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.lockFile, fn);
  }

  /** Finds a container by full ID, unique ID prefix or name. */
  async resolve(query: string): Promise<ContainerRecord> {
    // A full ID (what API clients send) is one read, not a scan; it wins over an equal name, as in docker's daemon (full ID, name, prefix).
    if (/^[a-f0-9]{64}$/.test(query)) {
      const rec = await this.store.readRecord(query).catch(() => undefined);
      if (rec) return rec;
    }
    // A long-lived engine names the container from the list it keeps, then reads that one record.
    const kept = await this.listCache.summaries();
    if (kept) {
      const id = pickContainer(kept, query);
      const rec = await this.store.readRecord(id).catch(() => undefined);
      // Changed between the list and the read (renamed, removed): the full scan below decides.
      if (rec && (rec.name === query || rec.id.startsWith(query))) return rec;
    }
    const records = await this.store.records();
    const id = pickContainer(records, query);
    return records.find((r) => r.id === id) as ContainerRecord;
  }

  /**
   * Read-modify-write of container.json under the lock, on the record as
   * it is now (not as the caller read it earlier). `change` returns false
   * when there is nothing to write.
   */
  async update(id: string, change: (rec: ContainerRecord) => boolean): Promise<ContainerRecord> {
    return this.locked(() => this.updateHeld(id, change));
  }

  /** `update` for a caller that already holds containers.lock (flock is not re-entrant across descriptors). */
  private async updateHeld(id: string, change: (rec: ContainerRecord) => boolean): Promise<ContainerRecord> {
    const rec = await this.store.readRecord(id);
    if (!rec) throw new EngineError('E_CONTAINER_NOT_FOUND', `container ${id.slice(0, 12)} was removed meanwhile`);
    if (change(rec)) await this.store.writeRecord(rec);
    return rec;
  }

  async rename(query: string, name: string): Promise<ContainerRecord> {
    if (!NAME_RE.test(name)) throw new EngineError('E_INVALID_ARGUMENT', `invalid container name "${name}": use letters, digits, _ . - and start with a letter or digit`);
    const renamed = await this.locked(async () => {
      const found = await this.resolve(query);
      if ((await this.store.records()).some((r) => r.name === name && r.id !== found.id)) {
        throw new EngineError('E_NAME_IN_USE', `the name "${name}" is already used by a container`);
      }
      return this.updateHeld(found.id, (rec) => {
        rec.name = name;
        return true;
      });
    });
    this.events.containerChanged('rename', renamed.id);
    return renamed;
  }

  status(id: string): Promise<ContainerStatus> {
    return this.store.status(id);
  }

  async summary(rec: ContainerRecord): Promise<ContainerSummary> {
    return summarize(readFacts(this.store, rec), sameProcessAlive);
  }

  async list(all: boolean): Promise<ContainerSummary[]> {
    const summaries = (await this.listCache.summaries()) ?? (await this.store.records()).map((rec) => summarize(readFacts(this.store, rec), sameProcessAlive));
    return summaries.filter((s) => all || s.state === 'running' || s.state === 'paused').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async inspect(query: string): Promise<ContainerInspect> {
    const rec = await this.resolve(query);
    const p = this.store.paths(rec.id);
    const spec = JSON.parse(await fsp.readFile(p.config, 'utf8')) as OciSpec;
    const status = await this.store.status(rec.id);
    const view = inspectView(rec, spec, status, await this.boundPorts(rec), p.log, wasOomKilled(p.bundle));
    // As docker: State.Health from the first start of a container with a healthcheck on.
    const hc = rec.config?.healthcheck;
    if (hc) {
      view.Config.Healthcheck = { Test: hc.test, Interval: hc.intervalNs, Timeout: hc.timeoutNs, StartPeriod: hc.startPeriodNs, StartInterval: hc.startIntervalNs, Retries: hc.retries };
      if (status.state !== 'created') view.State.Health = await readHealth(p.health, status.state);
    }
    return view;
  }

  /** docker port: the published ports as the monitor bound them (random host ports filled in). */
  async ports(query: string): Promise<PortSpec[]> {
    return this.boundPorts(await this.resolve(query));
  }

  async boundPorts(rec: ContainerRecord): Promise<PortSpec[]> {
    // ports.json holds the configured ports as bound: none configured, nothing to read.
    if ((rec.config?.ports ?? []).length === 0) return [];
    const bound = await readJsonFile<PortSpec[]>(this.store.paths(rec.id).ports).catch(() => undefined);
    return bound ?? rec.config?.ports ?? [];
  }

  /** Running containers and their init pids, for the stats sampler. */
  async running(): Promise<Array<{ id: string; pid: number }>> {
    // A long-lived engine samples every second: from the list it keeps, when it keeps one.
    const kept = await this.listCache.summaries();
    if (kept) return kept.flatMap((s) => (s.state === 'running' && s.pid !== null ? [{ id: s.id, pid: s.pid }] : []));
    const out: Array<{ id: string; pid: number }> = [];
    for (const id of await this.store.ids()) {
      const s = await this.store.status(id).catch(() => undefined);
      if (s?.state === 'running' && s.pid !== null) out.push({ id, pid: s.pid });
    }
    return out;
  }

  async logs(query: string, tail?: number): Promise<LogLine[]> {
    const p = this.store.paths((await this.resolve(query)).id);
    const rotated = await fsp.readFile(`${p.log}.1`, 'utf8').catch(() => '');
    const current = await fsp.readFile(p.log, 'utf8').catch(() => '');
    const lines = parseCriLog(rotated + current);
    return tail === undefined ? lines : lines.slice(Math.max(0, lines.length - tail));
  }

  logPath(id: string): string {
    return this.store.paths(id).log;
  }

  /** Names of the volumes a container mounts. */
  static volumesOf(rec: ContainerRecord): string[] {
    return (rec.config?.mounts ?? []).flatMap((m) => (m.type === 'volume' && m.source ? [m.source] : []));
  }

  async usersOfVolume(name: string): Promise<string[]> {
    return (await this.store.records()).filter((r) => ContainerRecords.volumesOf(r).includes(name)).map((r) => r.name);
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

/** docker's order: full ID or name, then a unique ID prefix. */
function pickContainer(list: ReadonlyArray<{ id: string; name: string }>, query: string): string {
  const exact = list.find((c) => c.id === query || c.name === query);
  if (exact) return exact.id;
  if (/^[a-f0-9]{3,63}$/.test(query)) {
    const matches = list.filter((c) => c.id.startsWith(query));
    if (matches.length === 1) return (matches[0] as { id: string }).id;
    if (matches.length > 1) throw new EngineError('E_INVALID_ARGUMENT', `${query} matches ${matches.length} containers; give more of the ID`);
  }
  throw new EngineError('E_CONTAINER_NOT_FOUND', `no container named or with ID ${query} (cove ps -a lists them)`);
}
