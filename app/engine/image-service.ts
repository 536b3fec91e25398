import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { ImageSummary } from '../api/contract.js';
import { EngineError } from './errors.js';
import { chainIds, shortId } from './digest.js';
import { BlobStore } from './store/blob-store.js';
import { LayerStore } from './store/layer-store.js';
import { ImageIndex, type ImageLayer, type ImageRecord } from './store/image-index.js';
import { stageArchive } from './archive/stage-archive.js';
import { readLayout, type ArchiveImage } from './archive/read-layout.js';
import { configSchema, MEDIA_TYPES, type ImageConfig } from './archive/image-schemas.js';
import { expandShortName, familiarReference, normalizeReference } from './reference.js';
import { RegistryClients } from './registry/client.js';
import { Puller, type PullOptions, type PullResult } from './registry/pull.js';
import { loadRegistriesConf } from './registry/registries-conf.js';

export interface LoadProgress {
  image: number;
  images: number;
  step: 'config' | 'layer';
  layer?: number;
  layers?: number;
  digest?: string;
}

export interface LoadResult {
  id: string;
  references: string[];
}

export interface ImageEvents {
  imageChanged(action: 'load' | 'tag' | 'untag' | 'delete', id: string): void;
}

async function magicIsGzip(file: string): Promise<boolean> {
  const handle = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Images: loading archives into the store, listing, resolving, removing. */
export class ImageService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly layers: LayerStore,
    private readonly index: ImageIndex,
    private readonly tmpDir: string,
    private readonly events: ImageEvents,
    private readonly options: { env?: NodeJS.ProcessEnv } = {},
  ) {}

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /** Pulls from a registry; see registry/pull.ts. `tlsVerify: false` is podman's --tls-verify=false. */
  async pull(reference: string, options: PullOptions & { tlsVerify?: boolean } = {}): Promise<PullResult> {
    const conf = loadRegistriesConf(this.env);
    const clients = new RegistryClients({ env: this.env, conf, ...(options.tlsVerify === false ? { tlsVerify: false } : {}) });
    const puller = new Puller({
      blobs: this.blobs,
      layers: this.layers,
      index: this.index,
      clients,
      conf,
      imageChanged: (id) => this.events.imageChanged('load', id),
    });
    return puller.pull(reference, options);
  }

  async load(input: string, onProgress: (p: LoadProgress) => void = () => undefined): Promise<LoadResult[]> {
    const staged = await stageArchive(input, this.tmpDir);
    try {
      const images = await readLayout(staged.dir);
      const results: LoadResult[] = [];
      for (const [i, image] of images.entries()) {
        results.push(await this.loadOne(image, (p) => onProgress({ ...p, image: i + 1, images: images.length })));
      }
      return results;
    } finally {
      await staged.dispose();
    }
  }

  private async loadOne(image: ArchiveImage, progress: (p: Omit<LoadProgress, 'image' | 'images'>) => void): Promise<LoadResult> {
    progress({ step: 'config' });
    const config = await this.blobs.put(openArchiveFile(image.configFile), image.expectedConfigDigest ?? undefined, 'image config');
    const parsed = await this.readConfig(config.digest);
    const diffIds = parsed.rootfs.diff_ids;
    if (diffIds.length !== image.layers.length) {
      throw new EngineError('E_MANIFEST_INVALID', `the image lists ${image.layers.length} layers but its config has ${diffIds.length} diff_ids`);
    }
    const chains = chainIds(diffIds);
    const layers: ImageLayer[] = [];
    for (const [i, layer] of image.layers.entries()) {
      progress({ step: 'layer', layer: i + 1, layers: image.layers.length, digest: layer.expectedDigest ?? undefined });
      const gzip = await magicIsGzip(layer.file).catch(() => {
        throw new EngineError('E_ARCHIVE_INVALID', `the archive is missing layer ${i + 1} (${layer.expectedDigest ?? layer.file})`);
      });
      const blob = await this.blobs.put(openArchiveFile(layer.file), layer.expectedDigest ?? undefined, `layer ${i + 1}`);
      const diffId = diffIds[i] as string;
      const chainId = chains[i] as string;
      await this.layers.unpack(this.blobs.path(blob.digest), chainId, diffId, i === 0 ? null : (chains[i - 1] as string));
      layers.push({ digest: blob.digest, size: blob.size, mediaType: gzip ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayer, diffId, chainId });
    }
    const manifestDigest = image.manifest
      ? (await this.blobs.put(openArchiveFile(image.manifest.file), image.manifest.digest, 'manifest')).digest
      : (await this.blobs.putBytes(Buffer.from(JSON.stringify(ociManifestFor(config, layers))), undefined, 'manifest')).digest;
    const record: ImageRecord = {
      id: config.digest,
      manifestDigest,
      layers,
      references: image.references,
      createdAt: parsed.created ?? null,
      loadedAt: new Date().toISOString(),
    };
    await this.index.update((images) => {
      for (const other of Object.values(images)) {
        if (other.id !== record.id) other.references = other.references.filter((r) => !record.references.includes(r));
      }
      const previous = images[record.id];
      images[record.id] = { ...record, references: [...new Set([...(previous?.references ?? []), ...record.references])] };
    });
    this.events.imageChanged('load', record.id);
    return { id: record.id, references: record.references };
  }

  async readConfig(configDigest: string): Promise<ImageConfig> {
    const bytes = await this.blobs.readVerified(configDigest);
    let data: unknown;
    try {
      data = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new EngineError('E_MANIFEST_INVALID', `image config ${shortId(configDigest)} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = configSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineError('E_MANIFEST_INVALID', `image config ${shortId(configDigest)} is malformed: ${issue?.path.join('.')} ${issue?.message}`);
    }
    return parsed.data;
  }

  async list(): Promise<ImageSummary[]> {
    const images = await this.index.read();
    return Object.values(images)
      .map((img) => ({
        id: img.id,
        references: img.references.map(familiarReference),
        size: img.layers.reduce((sum, l) => sum + (l.size ?? 0), 0),
        createdAt: img.createdAt,
        layers: img.layers.length,
      }))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  }

  /** Resolves a reference or ID to a stored image; E_IMAGE_NOT_FOUND otherwise. */
  async resolve(query: string): Promise<ImageRecord> {
    const images = await this.index.read();
    let normalized: string | null = null;
    try {
      normalized = normalizeReference(query);
    } catch (err) {
      if (!/^(sha256:)?[a-f0-9]{4,64}$/.test(query)) throw err;
    }
    let found = ImageIndex.find(images, query, normalized);
    if (!found && normalized !== null) {
      // A short name may have been pulled from a search registry or through an alias.
      let candidates: string[] = [];
      try {
        candidates = expandShortName(query, loadRegistriesConf(this.env));
      } catch {
        candidates = [];
      }
      for (const c of candidates) {
        found = ImageIndex.find(images, c, c);
        if (found) break;
      }
    }
    if (!found) {
      throw new EngineError('E_IMAGE_NOT_FOUND', `no image ${query} in the store; pull it with: cove pull ${query} (or load an archive with cove load -i FILE)`);
    }
    return found;
  }

  /**
   * Untags `query`; deletes the image once no reference is left (or at once
   * for an ID). Layers no longer used by any image are removed too.
   */
  async remove(query: string, force: boolean, inUseBy: (imageId: string) => Promise<string[]>): Promise<{ untagged: string[]; deleted: string[] }> {
    const image = await this.resolve(query);
    let normalized: string | null = null;
    try {
      normalized = normalizeReference(query);
    } catch {
      normalized = null;
    }
    const byReference = normalized !== null && image.references.includes(normalized);
    const untagged: string[] = [];
    const deleted: string[] = [];
    const dropping = !byReference || image.references.length <= 1;
    if (dropping && !force) {
      const users = await inUseBy(image.id);
      if (users.length > 0) {
        throw new EngineError('E_IMAGE_IN_USE', `image ${shortId(image.id)} is used by container(s) ${users.join(', ')}; remove them first or use --force`);
      }
    }
    let removedRecord: ImageRecord | undefined;
    await this.index.update((images) => {
      const current = images[image.id];
      if (!current) return;
      if (byReference && normalized && current.references.length > 1) {
        current.references = current.references.filter((r) => r !== normalized);
        untagged.push(familiarReference(normalized));
        return;
      }
      untagged.push(...current.references.map(familiarReference));
      delete images[image.id];
      removedRecord = current;
      deleted.push(image.id);
    });
    if (removedRecord) {
      await this.collectGarbage(removedRecord);
      this.events.imageChanged('delete', image.id);
    } else {
      this.events.imageChanged('untag', image.id);
    }
    return { untagged, deleted };
  }

  /** Removes blobs and layers that only the removed image used. */
  private async collectGarbage(removed: ImageRecord): Promise<void> {
    const images = await this.index.read();
    const usedBlobs = new Set<string>();
    const usedLayers = new Set<string>();
    for (const img of Object.values(images)) {
      usedBlobs.add(img.id);
      usedBlobs.add(img.manifestDigest);
      for (const l of img.layers) {
        usedBlobs.add(l.digest);
        usedLayers.add(l.chainId);
      }
    }
    for (const digest of [removed.id, removed.manifestDigest, ...removed.layers.map((l) => l.digest)]) {
      if (!usedBlobs.has(digest)) await this.blobs.remove(digest);
    }
    for (const layer of [...removed.layers].reverse()) {
      if (!usedLayers.has(layer.chainId)) await this.layers.remove(layer.chainId);
    }
  }

  layerDiffs(image: ImageRecord): string[] {
    return image.layers.map((l) => this.layers.diffPath(l.chainId));
  }
}

function openArchiveFile(file: string): fs.ReadStream {
  return fs.createReadStream(file);
}

function ociManifestFor(config: { digest: string; size: number }, layers: ImageLayer[]): object {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
}
