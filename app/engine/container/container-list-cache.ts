import fs from 'node:fs';
import type { ContainerSummary } from '../../api/contract.js';
import type { ContainerStore, Liveness } from './container-store.js';
import { readFacts, summarize, type ContainerFacts } from './container-summary.js';
import { ProcessProbe } from './process-probe.js';
import { sameProcessAlive } from './proc.js';

/** What tells the cache about changes: the store watcher (inotify), as it sees them. */
export interface ChangeSource {
  /** False once the watch on the containers directory itself has failed: nothing can be trusted. */
  complete(): boolean;
  /** True while this container's directory is watched (a failed or not yet added watch: read it fresh). */
  watching(id: string): boolean;
}

interface Entry {
  /** undefined: the directory has no container.json (a create half-way, a removal half-way). */
  facts: ContainerFacts | undefined;
  alive: Liveness;
  probe?: ProcessProbe;
}

/**
 * The container list of a long-lived engine (the app, `cove serve`, `cove
 * system service`), kept in memory between requests: each container's facts
 * as read after its last change. The store watcher reports every inotify
 * event in the containers directory and in each container's directory as it
 * is read (fileChanged), before any debounce; the entry is dropped then and
 * read again by the next list. Whether the process of a running container
 * still lives is asked on every list (a killed monitor writes nothing).
 * Without a source (the CLI's short-lived engine) nothing is kept.
 */
export class ContainerListCache {
  private source: ChangeSource | undefined;
  private ids: string[] | undefined;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly store: ContainerStore) {}

  /** From now on `source` reports changes; everything is read afresh first. */
  attach(source: ChangeSource): void {
    this.clear();
    this.source = source;
  }

  detach(): void {
    this.source = undefined;
    this.clear();
  }

  /**
   * An inotify event: in container `id`'s directory, or (`listChanged`) in
   * the containers directory, where containers appear and go; `id` null
   * when it cannot be told which.
   */
  fileChanged(id: string | null, listChanged: boolean): void {
    if (id === null) {
      this.clear();
      return;
    }
    if (listChanged) this.ids = undefined;
    this.drop(id);
  }

  /** Every container's entry, or undefined without a change source (the caller reads the store). */
  async summaries(): Promise<ContainerSummary[] | undefined> {
    if (!this.source) return undefined;
    // inotify queues an event before the write that causes it returns, but
    // this process reads the queue only when its event loop polls: a request
    // and the change made before it can arrive in the same poll (the request
    // first), or the change can be this process's own, made since the last
    // poll. Two immediates are two check phases, with a poll between them:
    // by then every change made before this call has been reported.
    await nextTurn();
    await nextTurn();
    const source = this.source;
    if (!source?.complete()) return undefined;
    // Synchronous from here: no watcher callback runs between a read and its entry being kept.
    const now = Date.now();
    const out: ContainerSummary[] = [];
    for (const id of this.currentIds()) {
      const entry = this.entry(id, source);
      if (entry?.facts) out.push(summarize(entry.facts, entry.alive, now));
    }
    return out;
  }

  private currentIds(): string[] {
    if (this.ids) return this.ids;
    let names: string[];
    try {
      names = fs.readdirSync(this.store.dir);
    } catch {
      return [];
    }
    this.ids = names.filter((n) => /^[a-f0-9]{64}$/.test(n));
    return this.ids;
  }

  private entry(id: string, source: ChangeSource): Entry | undefined {
    const kept = this.entries.get(id);
    if (kept) return kept;
    let facts: ContainerFacts | undefined;
    try {
      const rec = this.store.readRecordSync(id);
      facts = rec ? readFacts(this.store, rec) : undefined;
    } catch {
      // Unreadable now: left out of this list, as the store's own list does, and not kept.
      return undefined;
    }
    // A directory not watched (yet) cannot tell when it changes: read it every time.
    if (!source.watching(id)) return { facts, alive: sameProcessAlive };
    // Kept and handed out in every list: frozen, so no caller can change what the next list shows.
    if (facts) deepFreeze(facts);
    const probe = new ProcessProbe();
    const entry: Entry = { facts, alive: (pid, start) => probe.alive(pid, start), probe };
    this.entries.set(id, entry);
    return entry;
  }

  private drop(id: string): void {
    this.entries.get(id)?.probe?.close();
    this.entries.delete(id);
  }

  private clear(): void {
    for (const e of this.entries.values()) e.probe?.close();
    this.entries.clear();
    this.ids = undefined;
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
