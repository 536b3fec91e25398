import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ContainerSummary, DiskUsageReport, UsageRow, VolumeSummary } from '../api/contract.js';
import type { DiskUsage } from './store/store-check.js';

/**
 * Bytes of regular files under a directory, best effort: parts owned by
 * subordinate ids may be unreadable, and files come and go while it walks.
 */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await directorySize(p);
    else if (e.isFile()) total += await fsp.lstat(p).then((st) => st.size, () => 0);
  }
  return total;
}

export interface DiskUsageInputs {
  containers: ContainerSummary[];
  images: DiskUsage;
  volumes: VolumeSummary[];
  buildCache: DiskUsageReport['buildCache'];
  /** A container's upper directory: what it wrote. */
  upperDir(id: string): string;
}

function row(items: Array<{ size: number; active: boolean }>): UsageRow {
  const size = items.reduce((s, i) => s + i.size, 0);
  return { total: items.length, active: items.filter((i) => i.active).length, size, reclaimable: items.filter((i) => !i.active).reduce((s, i) => s + i.size, 0) };
}

/** `system:df`: the images' figures from the store, plus the bytes containers and volumes hold. */
export async function diskUsageReport(inputs: DiskUsageInputs): Promise<DiskUsageReport> {
  const containerSizes = await Promise.all(
    inputs.containers.map(async (c) => ({ id: c.id, name: c.name, image: c.image, state: c.state, size: await directorySize(inputs.upperDir(c.id)) })),
  );
  const volumeSizes = await Promise.all(inputs.volumes.map(async (v) => ({ name: v.name, size: await directorySize(v.mountpoint), usedBy: v.usedBy })));
  return {
    images: inputs.images.images,
    containers: row(containerSizes.map((c) => ({ size: c.size, active: c.state === 'running' || c.state === 'paused' }))),
    volumes: row(volumeSizes.map((v) => ({ size: v.size, active: v.usedBy.length > 0 }))),
    layers: inputs.images.layers,
    blobs: inputs.images.blobs,
    buildCache: inputs.buildCache,
    containerSizes,
    volumeSizes,
  };
}
