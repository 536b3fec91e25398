import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { EngineError } from './errors.js';
import { chainIds } from './digest.js';
import type { BlobStore } from './store/blob-store.js';
import type { LayerStore } from './store/layer-store.js';
import type { ImageIndex, ImageLayer, ImageRecord } from './store/image-index.js';
import type { ArchiveImage } from './archive/read-layout.js';
import { MEDIA_TYPES } from './archive/media-types.js';
import type { ImageConfig } from './archive/image-config.js';
import type { ArchiveFormat } from './archive/write-archive.js';
import { normalizeReference } from './reference.js';

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

export interface ArchiveDeps {
  blobs: BlobStore;
  layers: LayerStore;
  index: ImageIndex;
  tmpDir: string;
  imageLoaded(id: string): void;
  resolve(query: string): Promise<ImageRecord>;
  readConfig(configDigest: string): Promise<ImageConfig>;
}

/** Images in and out of archives: docker load/save and import of a rootfs tarball. */
export class ImageArchives {
  private readonly blobs: BlobStore;
  private readonly layers: LayerStore;
  private readonly index: ImageIndex;
  private readonly tmpDir: string;

  constructor(private readonly d: ArchiveDeps) {
    this.blobs = d.blobs;
    this.layers = d.layers;
    this.index = d.index;
    this.tmpDir = d.tmpDir;
  }

  private resolve(query: string): Promise<ImageRecord> {
    return this.d.resolve(query);
  }

  private readConfig(configDigest: string): Promise<ImageConfig> {
    return this.d.readConfig(configDigest);
  }

  /** Writes images to a docker-archive or oci-archive (cove save). */
  async save(queries: string[], file: string, format: ArchiveFormat): Promise<void> {
    if (queries.length === 0) throw new EngineError('E_INVALID_ARGUMENT', 'name at least one image to save');
    const out = [];
    for (const q of queries) {
      const image = await this.resolve(q);
      const bytes = await this.blobs.readVerified(image.manifestDigest);
      const parsed = (await manifestMod()).parseManifest(bytes, undefined, `the manifest of ${q}`);
      const normalized = tryNormalize(q);
      // Saving by name keeps that name; by ID, every name the image has.
      const references = normalized && image.references.includes(normalized) ? [normalized] : image.references;
      out.push({ references, manifestDigest: image.manifestDigest, manifestMediaType: parsed.mediaType, configDigest: image.id, layerDigests: image.layers.map((l) => l.digest) });
    }
    await (await writeMod()).writeArchive(file, out, format, (d) => this.blobs.path(d));
  }

  /**
   * Makes a one-layer image from a rootfs tarball (cove import): the tar is
   * stored as the layer blob as given (plain, gzip or zstd), unpacked once,
   * and described by a fresh config and OCI manifest.
   */
  async importRootfs(input: string | NodeJS.ReadableStream, options: { reference?: string; changes?: Partial<{ Cmd: string[]; Entrypoint: string[]; Env: string[]; WorkingDir: string; User: string }>; message?: string } = {}): Promise<LoadResult> {
    const reference = options.reference ? normalizeReference(options.reference) : null;
    // Checked before the stream opens: a read stream's ENOENT with no listener yet would crash the engine.
    if (typeof input === 'string') await fsp.access(input).catch(() => {
      throw new EngineError('E_INVALID_ARGUMENT', `no such file: ${input}`);
    });
    const source = typeof input === 'string' ? fs.createReadStream(input) : input;
    const { Readable } = await import('node:stream');
    const blob = await this.blobs.put(source instanceof Readable ? source : Readable.from(source as AsyncIterable<Buffer>), undefined, 'rootfs tarball');
    const head = Buffer.alloc(4);
    const handle = await fsp.open(this.blobs.path(blob.digest), 'r');
    await handle.read(head, 0, 4, 0);
    await handle.close();
    const kind = (await decompressMod()).sniffCompression(head);
    const pending = await this.layers.begin(this.blobs.path(blob.digest), blob.digest);
    const layer = await this.layers.commit(pending, { diffId: null, chainId: null, parent: null });
    const now = new Date().toISOString();
    const config = {
      created: now,
      architecture: hostArch(),
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...(options.changes ?? {}) },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: now, created_by: 'cove import', ...(options.message ? { comment: options.message } : {}) }],
    };
    const configBlob = await this.blobs.putBytes(Buffer.from(JSON.stringify(config)), undefined, 'image config');
    const mediaType = kind === 'gzip' ? MEDIA_TYPES.ociLayerGzip : kind === 'zstd' ? 'application/vnd.oci.image.layer.v1.tar+zstd' : MEDIA_TYPES.ociLayer;
    const layers: ImageLayer[] = [{ digest: blob.digest, size: blob.size, mediaType, diffId: layer.diffId, chainId: layer.chainId }];
    const manifest = await this.blobs.putBytes(Buffer.from(JSON.stringify(ociManifestFor(configBlob, layers))), undefined, 'manifest');
    const record: ImageRecord = { id: configBlob.digest, manifestDigest: manifest.digest, layers, references: reference ? [reference] : [], createdAt: now, loadedAt: now };
    await this.index.update((images) => {
      for (const other of Object.values(images)) if (other.id !== record.id && reference) other.references = other.references.filter((r) => r !== reference);
      images[record.id] = { ...record, references: [...new Set([...(images[record.id]?.references ?? []), ...record.references])] };
    });
    this.d.imageLoaded(record.id);
    return { id: record.id, references: record.references };
  }

  async load(input: string, onProgress: (p: LoadProgress) => void = () => undefined): Promise<LoadResult[]> {
    const staged = await (await stageMod()).stageArchive(input, this.tmpDir);
    try {
      const images = await (await layoutMod()).readLayout(staged.dir);
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
    this.d.imageLoaded(record.id);
    return { id: record.id, references: record.references };
  }
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

function tryNormalize(q: string): string | null {
  try {
    return normalizeReference(q);
  } catch {
    return null;
  }
}

function hostArch(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' };
  return arch[process.arch] ?? process.arch;
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

// Loaded when first used, as in image-service.ts: `cove run` needs none of these.
const stageMod = () => import('./archive/stage-archive.js');
const layoutMod = () => import('./archive/read-layout.js');
const writeMod = () => import('./archive/write-archive.js');
const manifestMod = () => import('./registry/manifest.js');
const decompressMod = () => import('./unpack/decompress.js');
