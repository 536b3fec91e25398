// What the build cache holds, read without the builder: every entry's layer
// (its blob and its unpacked chain) counts as referenced, like an image's,
// so `system check --repair`, `rmi` and `image prune` leave it to
// `cove builder prune`, and `system df` counts it as build cache.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ImageLayer } from '../store/image-index.js';

export const BUILD_CACHE_DIR = 'build-cache';

/** An entry file is named after its key's hex digest. */
export const ENTRY_NAME = /^[a-f0-9]{64}\.json$/;

/** The layers of the cache's entries under `home` (unreadable entries are skipped: they are misses). */
export async function cachedLayers(home: string): Promise<ImageLayer[]> {
  const dir = path.join(home, BUILD_CACHE_DIR);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const out: ImageLayer[] = [];
  await Promise.all(
    names
      .filter((n) => ENTRY_NAME.test(n))
      .map(async (n) => {
        try {
          const e = JSON.parse(await fsp.readFile(path.join(dir, n), 'utf8')) as { layer?: ImageLayer };
          if (typeof e.layer?.digest === 'string' && typeof e.layer.chainId === 'string') out.push(e.layer);
        } catch {
          // written right now (temp + rename makes that rare) or damaged: not a reference
        }
      }),
  );
  return out;
}

export async function cacheReferences(home: string): Promise<{ blobs: Set<string>; layers: Set<string> }> {
  const layers = await cachedLayers(home);
  return { blobs: new Set(layers.map((l) => l.digest)), layers: new Set(layers.map((l) => l.chainId)) };
}
