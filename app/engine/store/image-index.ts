import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import { withLock } from './lock.js';

export interface ImageLayer {
  /** Digest of the blob as stored (compressed or not). */
  digest: string;
  mediaType: string;
  size: number;
  diffId: string;
  chainId: string;
}

export interface ImageRecord {
  /** The image ID: the digest of the config blob. */
  id: string;
  manifestDigest: string;
  layers: ImageLayer[];
  references: string[];
  createdAt: string | null;
  loadedAt: string;
  /** repository@digest of what was pulled (the index digest for a multi-arch image), as docker's RepoDigests. */
  repoDigests?: string[];
  /** Where it was pulled from: push mounts blobs from there when it is the same registry. */
  source?: { registry: string; repository: string };
}

interface ImagesFile {
  version: 1;
  images: Record<string, ImageRecord>;
}

/**
 * images.json: references -> images. Every change is read-modify-write under
 * the store lock and written atomically, so the GUI and the
 * CLI can both change it.
 */
export class ImageIndex {
  private readonly file: string;
  private readonly lockFile: string;
  constructor(home: string) {
    this.file = path.join(home, 'images.json');
    this.lockFile = path.join(home, 'images.lock');
  }

  async read(): Promise<Record<string, ImageRecord>> {
    const data = await readJsonFile<ImagesFile>(this.file);
    return data?.images ?? {};
  }

  /** Applies `change` to a fresh copy under the lock and saves it. */
  async update<T>(change: (images: Record<string, ImageRecord>) => T | Promise<T>): Promise<T> {
    return withLock(this.lockFile, async () => {
      const images = await this.read();
      const result = await change(images);
      await writeJsonAtomic(this.file, { version: 1, images } satisfies ImagesFile);
      return result;
    });
  }

  /** Finds an image by reference, full or short ID, or familiar name. */
  static find(images: Record<string, ImageRecord>, query: string, normalized: string | null): ImageRecord | undefined {
    if (normalized) {
      for (const img of Object.values(images)) if (img.references.includes(normalized)) return img;
      // repo@digest: the digest part is what matters, with or without a tag before it (docker's RepoDigests).
      const at = normalized.indexOf('@');
      if (at > 0) {
        const repo = normalized.slice(0, at).replace(/:[^/:]+$/, '');
        const wanted = `${repo}${normalized.slice(at)}`;
        for (const img of Object.values(images)) if (img.repoDigests?.includes(wanted)) return img;
      }
    }
    const hex = query.replace(/^sha256:/, '');
    if (/^[a-f0-9]{4,64}$/.test(hex)) {
      const matches = Object.values(images).filter((img) => img.id.slice(7).startsWith(hex));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }
}

/** Every blob (config, manifest, layers) and layer (chain ID) the images use. */
export function referencedBy(images: Record<string, ImageRecord>, seed: { blobs?: Iterable<string>; layers?: Iterable<string> } = {}): { blobs: Set<string>; layers: Set<string> } {
  const blobs = new Set<string>(seed.blobs ?? []);
  const layers = new Set<string>(seed.layers ?? []);
  for (const img of Object.values(images)) {
    blobs.add(img.id);
    blobs.add(img.manifestDigest);
    for (const l of img.layers) {
      blobs.add(l.digest);
      layers.add(l.chainId);
    }
  }
  return { blobs, layers };
}
