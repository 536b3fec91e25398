import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { digestHex, sha256Of, shortId } from '../digest.js';
import type { BlobStore } from './blob-store.js';
import { referencedBy, type ImageIndex, type ImageRecord } from './image-index.js';
import type { LayerStore } from './layer-store.js';
import { pidAlive } from './pid-alive.js';
import { readLeases } from './leases.js';
import { cachedLayers } from '../build/cache-references.js';

export interface CheckIssue {
  kind: 'blob' | 'layer' | 'image' | 'index' | 'network';
  id: string;
  problem: string;
}

export interface CheckReport {
  blobsChecked: number;
  layersChecked: number;
  imagesChecked: number;
  /** Damage: corrupt or missing content, broken records. */
  problems: CheckIssue[];
  /** Debris of interrupted work and unreferenced content: harmless, reclaimable. */
  leftovers: string[];
  /** What --repair did. */
  repaired: string[];
}

export interface CheckOptions {
  repair: boolean;
  /** Compare every unpacked layer with its blob (slow on big stores). */
  deep: boolean;
}

/**
 * `cove system check`: verifies every blob against its digest, every layer
 * record against its chain ID and (deep) its files against the blob it came
 * from, and every image against the blobs and layers it needs. With repair,
 * corrupt blobs are removed, broken layers re-unpacked from their blob,
 * images that cannot be made whole removed (pull them again), and the
 * debris of interrupted work (dead processes' temp files) deleted.
 */
export async function checkStore(d: { blobs: BlobStore; layers: LayerStore; index: ImageIndex; tmpDir: string; home: string }, o: CheckOptions): Promise<CheckReport> {
  const report: CheckReport = { blobsChecked: 0, layersChecked: 0, imagesChecked: 0, problems: [], leftovers: [], repaired: [] };
  const issue = (kind: CheckIssue['kind'], id: string, problem: string): void => {
    report.problems.push({ kind, id, problem });
  };

  let images: Record<string, ImageRecord>;
  try {
    images = await d.index.read();
  } catch (err) {
    issue('index', 'images.json', `unreadable: ${(err as Error).message}`);
    return report;
  }
  const leases = await readLeases(d.tmpDir);
  // The build cache's layers are kept like an image's: `cove builder prune` is what drops them.
  const cached = await cachedLayers(d.home);
  for (const l of cached) {
    leases.blobs.add(l.digest);
    leases.layers.add(l.chainId);
  }

  // Blobs: each must hash to its name.
  const corruptBlobs = new Set<string>();
  const blobList = await d.blobs.list();
  for (const digest of blobList) {
    report.blobsChecked++;
    const v = await d.blobs.verify(digest);
    if (v && !v.ok) {
      corruptBlobs.add(digest);
      issue('blob', digest, 'content does not match its digest');
      if (o.repair) {
        await d.blobs.remove(digest);
        report.repaired.push(`removed corrupt blob ${shortId(digest)}`);
      }
    }
  }
  const presentBlobs = new Set(blobList.filter((b) => !corruptBlobs.has(b)));

  // Layers: a record whose chain ID adds up, a diff directory, and (deep) the files of its blob.
  const layerBlob = new Map<string, string>();
  for (const l of [...cached, ...Object.values(images).flatMap((img) => img.layers)]) if (presentBlobs.has(l.digest)) layerBlob.set(l.chainId, l.digest);
  const goodLayers = new Set<string>();
  for (const chainId of await d.layers.list()) {
    report.layersChecked++;
    const dir = path.join(d.layers.dir, digestHex(chainId));
    let rec: Awaited<ReturnType<LayerStore['get']>>;
    try {
      rec = await d.layers.get(chainId);
    } catch {
      rec = undefined;
    }
    if (!rec) {
      // No layer.json: an unpack or removal was interrupted; it never counted as a layer.
      report.leftovers.push(`incomplete layer ${shortId(chainId)}`);
      if (o.repair) {
        await d.layers.removePaths([dir]);
        report.repaired.push(`removed incomplete layer ${shortId(chainId)}`);
      }
      continue;
    }
    const expectChain = rec.parent ? sha256Of(`${rec.parent} ${rec.diffId}`) : rec.diffId;
    let problem: string | null = null;
    if (rec.chainId !== chainId || expectChain !== chainId) problem = 'its record does not match its chain ID';
    else if (!fs.existsSync(path.join(dir, 'diff'))) problem = 'its diff directory is missing';
    else if (o.deep && layerBlob.has(chainId)) {
      try {
        const v = await d.layers.verify(chainId, d.blobs.path(layerBlob.get(chainId) as string));
        if (v.diffId !== rec.diffId) problem = `its blob decompresses to ${v.diffId}, not ${rec.diffId}`;
        else if (v.problems.length > 0) problem = `its files differ from the layer: ${v.problems.slice(0, 3).join('; ')}`;
      } catch (err) {
        problem = `could not be verified: ${(err as Error).message}`;
      }
    }
    if (problem) {
      issue('layer', chainId, problem);
      if (o.repair) {
        await d.layers.remove(chainId);
        report.repaired.push(`removed broken layer ${shortId(chainId)}`);
      }
      continue;
    }
    goodLayers.add(chainId);
  }

  // Images: everything they need must be there; repair re-unpacks from blobs or drops the image.
  const dropImages: string[] = [];
  for (const img of Object.values(images)) {
    report.imagesChecked++;
    const missing: string[] = [];
    for (const digest of [img.id, img.manifestDigest]) if (!presentBlobs.has(digest)) missing.push(`blob ${shortId(digest)}`);
    const needUnpack: number[] = [];
    img.layers.forEach((l, i) => {
      if (!goodLayers.has(l.chainId)) needUnpack.push(i);
    });
    // A layer blob is needed even when the layer is unpacked: push, save and this check read it.
    for (const l of img.layers) if (!presentBlobs.has(l.digest)) missing.push(`layer blob ${shortId(l.digest)}`);
    if (missing.length === 0 && needUnpack.length === 0) continue;
    const label = img.references[0] ?? shortId(img.id);
    if (missing.length > 0) {
      issue('image', img.id, `${label} is missing ${missing.join(', ')}`);
      if (o.repair) dropImages.push(img.id);
      continue;
    }
    issue('image', img.id, `${label} is missing ${needUnpack.length} unpacked layer(s)`);
    if (o.repair) {
      for (const i of needUnpack) {
        const l = img.layers[i] as ImageRecord['layers'][number];
        await d.layers.unpack(d.blobs.path(l.digest), l.chainId, l.diffId, i === 0 ? null : (img.layers[i - 1]?.chainId ?? null));
        goodLayers.add(l.chainId);
      }
      report.repaired.push(`re-unpacked ${needUnpack.length} layer(s) of ${label} from its blobs`);
    }
  }
  if (dropImages.length > 0) {
    await d.index.update((current) => {
      for (const id of dropImages) delete current[id];
    });
    for (const id of dropImages) report.repaired.push(`removed image ${shortId(id)}, which cannot be made whole; pull or load it again`);
  }

  // Debris: temp files and temp layers of dead processes, unreferenced blobs and layers.
  const after = await d.index.read();
  const { blobs: usedBlobs, layers: usedLayers } = referencedBy(after, leases);
  const debris: string[] = [];
  for (const name of await fsp.readdir(d.tmpDir).catch(() => [] as string[])) {
    const pid = Number(/^[a-z]+-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) continue;
    report.leftovers.push(`temp file tmp/${name}`);
    debris.push(path.join(d.tmpDir, name));
  }
  const tempLayers = await d.layers.leftovers();
  for (const t of tempLayers) report.leftovers.push(`temp layer ${path.basename(t)}`);
  const unusedBlobs = (await d.blobs.list()).filter((b) => !usedBlobs.has(b));
  for (const b of unusedBlobs) report.leftovers.push(`unreferenced blob ${shortId(b)}`);
  const unusedLayers = (await d.layers.list()).filter((l) => !usedLayers.has(l));
  for (const l of unusedLayers) report.leftovers.push(`unreferenced layer ${shortId(l)}`);
  // writeFileAtomic's temp files next to images.json: a writer holds them for milliseconds.
  for (const name of await fsp.readdir(d.home).catch(() => [] as string[])) {
    if (!name.startsWith('.tmp-images.json-')) continue;
    const st = await fsp.stat(path.join(d.home, name)).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 10_000) {
      report.leftovers.push(`temp file ${name}`);
      debris.push(path.join(d.home, name));
    }
  }
  if (o.repair) {
    for (const p of debris) await fsp.rm(p, { recursive: true, force: true });
    if (tempLayers.length > 0) await d.layers.removePaths(tempLayers);
    for (const b of unusedBlobs) await d.blobs.remove(b);
    // Children first: a layer's diff is independent, but keep the order tidy.
    for (const l of unusedLayers.reverse()) await d.layers.remove(l);
    const n = debris.length + tempLayers.length + unusedBlobs.length + unusedLayers.length;
    if (n > 0) report.repaired.push(`removed ${n} leftover(s) of interrupted or removed work`);
  }
  return report;
}

export interface DiskUsage {
  images: { total: number; active: number; size: number; reclaimable: number };
  blobs: { count: number; size: number };
  layers: { count: number; size: number };
}

/**
 * `cove system df` for images: unpacked layers plus stored blobs, and what
 * removing unused images would free. What only the build cache holds is
 * not the images' (`cove builder prune` frees it; the cache row counts it).
 */
export async function diskUsage(d: { blobs: BlobStore; layers: LayerStore; index: ImageIndex; home: string }, inUse: (imageId: string) => Promise<boolean>): Promise<DiskUsage> {
  const images = Object.values(await d.index.read());
  const layerSize = new Map<string, number>();
  for (const chainId of await d.layers.list()) layerSize.set(chainId, (await d.layers.get(chainId).catch(() => undefined))?.size ?? 0);
  const blobSize = new Map<string, number>();
  for (const digest of await d.blobs.list()) blobSize.set(digest, (await d.blobs.size(digest)) ?? 0);
  const activeBlobs = new Set<string>();
  const activeLayers = new Set<string>();
  let active = 0;
  for (const img of images) {
    if (!(await inUse(img.id))) continue;
    active++;
    for (const digest of [img.id, img.manifestDigest, ...img.layers.map((l) => l.digest)]) activeBlobs.add(digest);
    for (const l of img.layers) activeLayers.add(l.chainId);
  }
  const byImages = referencedBy(Object.fromEntries(images.map((i) => [i.id, i])));
  const cacheOnly = new Set<string>();
  for (const l of await cachedLayers(d.home)) {
    if (!byImages.blobs.has(l.digest)) cacheOnly.add(l.digest);
    if (!byImages.layers.has(l.chainId)) cacheOnly.add(l.chainId);
  }
  const sum = (m: Map<string, number>, counts: (k: string) => boolean): number => [...m.entries()].reduce((s, [k, v]) => s + (counts(k) ? v : 0), 0);
  const ofImages = (k: string): boolean => !cacheOnly.has(k);
  const size = sum(layerSize, ofImages) + sum(blobSize, ofImages);
  const activeSize = sum(layerSize, (k) => activeLayers.has(k)) + sum(blobSize, (k) => activeBlobs.has(k));
  return {
    images: { total: images.length, active, size, reclaimable: size - activeSize },
    blobs: { count: blobSize.size, size: sum(blobSize, () => true) },
    layers: { count: layerSize.size, size: sum(layerSize, () => true) },
  };
}
