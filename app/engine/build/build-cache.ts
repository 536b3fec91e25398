// The layer cache: build-cache/<key>.json maps a step's key (its parent
// state, its instruction with the args it uses, and for COPY/ADD the hash of
// its sources) to the layer it made. Entries are written as each step
// succeeds, so a failed build keeps the steps before the failure. A hit is
// used only while its blob and unpacked layer are still in the store.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { digestHex, sha256Of } from '../digest.js';
import { readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import type { BlobStore } from '../store/blob-store.js';
import type { LayerStore } from '../store/layer-store.js';
import { referencedBy, type ImageIndex, type ImageLayer } from '../store/image-index.js';
import { BUILD_CACHE_DIR, ENTRY_NAME } from './cache-references.js';

export interface CacheEntry {
  key: string;
  layer: ImageLayer;
  createdBy: string;
  createdAt: string;
}

export interface Lineage {
  chainId: string;
  files: Record<string, string>;
}

export interface BuildCacheDeps {
  home: string;
  blobs: BlobStore;
  layers: LayerStore;
  index: ImageIndex;
}

/** The next key in a stage's chain: every step's key covers everything before it. */
export function chainKey(previous: string, ...parts: string[]): string {
  return sha256Of([previous, ...parts].join('\n'));
}

export class BuildCache {
  readonly dir: string;
  constructor(private readonly deps: BuildCacheDeps) {
    this.dir = path.join(deps.home, BUILD_CACHE_DIR);
  }

  /** Host directories behind RUN --mount=type=cache, by cache id. */
  mountDir(id: string): string {
    return path.join(this.dir, 'mounts', digestHex(sha256Of(id)));
  }

  private lineageFile(prefix: string): string {
    return path.join(this.dir, 'lineage', `${digestHex(prefix)}.json`);
  }

  /**
   * The last layer a COPY made under `prefix` (its parent and instruction,
   * not its sources' content) and its files' signatures: what the next
   * build of that step may hard-link instead of copying (copy-direct.ts).
   */
  async lineage(prefix: string): Promise<Lineage | null> {
    const l = await readJsonFile<Lineage>(this.lineageFile(prefix)).catch(() => undefined);
    return l && typeof l.chainId === 'string' && typeof l.files === 'object' && l.files !== null ? l : null;
  }

  async setLineage(prefix: string, l: Lineage): Promise<void> {
    await fsp.mkdir(path.dirname(this.lineageFile(prefix)), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(this.lineageFile(prefix), l);
  }

  private file(key: string): string {
    return path.join(this.dir, `${digestHex(key)}.json`);
  }

  async get(key: string): Promise<CacheEntry | null> {
    const entry = await readJsonFile<CacheEntry>(this.file(key)).catch(() => undefined);
    if (!entry) return null;
    if (!(await this.deps.blobs.has(entry.layer.digest)) || !(await this.deps.layers.get(entry.layer.chainId))) return null;
    return entry;
  }

  async put(entry: CacheEntry): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(this.file(entry.key), entry);
  }

  async entries(): Promise<CacheEntry[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    const out: CacheEntry[] = [];
    for (const n of names) {
      if (!ENTRY_NAME.test(n)) continue;
      const e = await readJsonFile<CacheEntry>(path.join(this.dir, n)).catch(() => undefined);
      if (e) out.push(e);
    }
    return out;
  }

  /**
   * system df's "Build Cache": the blobs and unpacked layers of its entries;
   * reclaimable is what no image uses (what `cove builder prune` frees).
   */
  async usage(): Promise<{ entries: number; size: number; reclaimable: number }> {
    const entries = await this.entries();
    const used = referencedBy(await this.deps.index.read());
    const seen = new Set<string>();
    let size = 0;
    let reclaimable = 0;
    const count = (id: string, bytes: number, usedByImage: boolean): void => {
      if (seen.has(id)) return;
      seen.add(id);
      size += bytes;
      if (!usedByImage) reclaimable += bytes;
    };
    for (const e of entries) {
      if (!seen.has(e.layer.digest)) count(e.layer.digest, (await this.deps.blobs.size(e.layer.digest)) ?? 0, used.blobs.has(e.layer.digest));
      if (!seen.has(e.layer.chainId)) count(e.layer.chainId, (await this.deps.layers.get(e.layer.chainId).catch(() => undefined))?.size ?? 0, used.layers.has(e.layer.chainId));
    }
    return { entries: entries.length, size, reclaimable };
  }

  /**
   * cove builder prune: forgets every entry and the cache mounts, then
   * removes the blobs and layers no image uses.
   */
  async prune(): Promise<{ entries: number; reclaimed: number }> {
    const entries = await this.entries();
    const used = referencedBy(await this.deps.index.read());
    let reclaimed = 0;
    for (const e of entries) await fsp.rm(this.file(e.key), { force: true });
    await fsp.rm(path.join(this.dir, 'lineage'), { recursive: true, force: true });
    const chains = new Map<string, ImageLayer>();
    for (const e of entries) chains.set(e.layer.chainId, e.layer);
    // Children before parents: a layer's chain ID depends on its parent's.
    const ordered = [...chains.values()].sort((a, b) => b.chainId.localeCompare(a.chainId));
    for (const l of ordered) {
      if (!used.blobs.has(l.digest) && (await this.deps.blobs.has(l.digest))) {
        reclaimed += l.size;
        await this.deps.blobs.remove(l.digest);
      }
      if (!used.layers.has(l.chainId) && (await this.deps.layers.get(l.chainId))) await this.deps.layers.remove(l.chainId);
    }
    // Cache mounts may hold files of subordinate ids: removed as mapped root.
    await this.deps.layers.removePaths([path.join(this.dir, 'mounts')]).catch(() => undefined);
    return { entries: entries.length, reclaimed };
  }
}
