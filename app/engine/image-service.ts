import path from 'node:path';
import type { ImageHistoryEntry, ImageInspect, ImageSummary } from '../api/contract.js';
import { EngineError } from './errors.js';
import { shortId } from './digest.js';
import { BlobStore } from './store/blob-store.js';
import { LayerStore } from './store/layer-store.js';
import { ImageIndex, referencedBy, type ImageRecord } from './store/image-index.js';
import { ImageArchives, type LoadProgress, type LoadResult } from './image-archives.js';
import type { CheckOptions, CheckReport, DiskUsage } from './store/store-check.js';
import { cacheReferences } from './build/cache-references.js';

import { parseImageConfig, type ImageConfig } from './archive/image-config.js';
import type { ArchiveFormat } from './archive/write-archive.js';
import { expandShortName, familiarReference, normalizeReference, parseReference } from './reference.js';

import type { Credentials } from './registry/credentials.js';

import type { PullOptions, PullResult } from './registry/pull.js';
import type { PushOptions } from './registry/push.js';

export type { LoadProgress, LoadResult } from './image-archives.js';

export interface ImageEvents {
  imageChanged(action: 'load' | 'tag' | 'untag' | 'delete', id: string): void;
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
  ) {
    this.archives = new ImageArchives({
      blobs,
      layers,
      index,
      tmpDir,
      imageLoaded: (id) => events.imageChanged('load', id),
      resolve: (q) => this.resolve(q),
      readConfig: (d) => this.readConfig(d),
    });
  }

  private readonly archives: ImageArchives;

  /** Writes images to a docker-archive or oci-archive (cove save). */
  save(queries: string[], file: string, format: ArchiveFormat): Promise<void> {
    return this.archives.save(queries, file, format);
  }

  /** A one-layer image from a rootfs tarball (cove import). */
  importRootfs(...args: Parameters<ImageArchives['importRootfs']>): Promise<LoadResult> {
    return this.archives.importRootfs(...args);
  }

  load(input: string, onProgress?: (p: LoadProgress) => void): Promise<LoadResult[]> {
    return this.archives.load(input, onProgress);
  }

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /**
   * Checks the credentials against the registry (Basic, or by getting a
   * token), and only then saves them to the auth file (podman login).
   */
  async login(registryInput: string, creds: Credentials, options: { tlsVerify?: boolean } = {}): Promise<{ registry: string; file: string }> {
    const registry = registryHost(registryInput);
    const client = new (await clientMod()).RegistryClient(registry, { env: this.env, conf: (await confMod()).loadRegistriesConf(this.env), credentials: creds, ...(options.tlsVerify === false ? { tlsVerify: false } : {}) });
    await client.checkLogin();
    return { registry, file: await (await credMod()).saveCredentials(registry, creds, this.env) };
  }

  async logout(registryInput: string): Promise<{ registry: string; removed: string[]; elsewhere: string[] }> {
    const registry = registryHost(registryInput);
    return { registry, ...(await (await credMod()).removeCredentials(registry, this.env)) };
  }

  /** Pushes a stored image to `destination` (default: its own reference). */
  async push(source: string, destination: string | undefined, options: PushOptions & { tlsVerify?: boolean; chunkSize?: number } = {}): Promise<{ reference: string; digest: string }> {
    const image = await this.resolve(source);
    let dest = destination;
    if (!dest) {
      try {
        dest = normalizeReference(source);
      } catch {
        dest = undefined;
      }
      if (!dest || !image.references.includes(dest)) {
        throw new EngineError('E_INVALID_ARGUMENT', `say where to push ${source}: cove push ${source} REGISTRY/REPOSITORY:TAG (or tag it first with cove tag)`);
      }
    }
    const conf = (await confMod()).loadRegistriesConf(this.env);
    const clients = new (await clientMod()).RegistryClients({ env: this.env, conf, ...(options.tlsVerify === false ? { tlsVerify: false } : {}) });
    const chunk = options.chunkSize ?? (Number(this.env.COVE_PUSH_CHUNK_BYTES) || undefined);
    const pusher = new (await pushMod()).Pusher({ blobs: this.blobs, index: this.index, clients, ...(chunk ? { chunkSize: chunk } : {}) });
    return pusher.push(image, normalizeReference(dest), options);
  }

  /** Adds a reference to an image, taking it from any other image (docker tag). */
  async tag(source: string, target: string): Promise<string> {
    const image = await this.resolve(source);
    const ref = parseReference(target);
    if (ref.digest !== null) throw new EngineError('E_INVALID_REFERENCE', `a tag cannot contain a digest: ${target}`);
    const normalized = normalizeReference(target);
    await this.index.update((images) => {
      for (const other of Object.values(images)) other.references = other.references.filter((r) => r !== normalized);
      const rec = images[image.id];
      if (rec) rec.references = [...rec.references, normalized];
    });
    this.events.imageChanged('tag', image.id);
    return normalized;
  }

  /** docker image inspect's shape, for the fields Cove knows. */
  async inspect(query: string): Promise<ImageInspect> {
    const image = await this.resolve(query);
    const config = await this.readConfig(image.id);
    const sizes = await Promise.all(image.layers.map(async (l) => (await this.layers.get(l.chainId))?.size ?? l.size));
    return {
      Id: image.id,
      RepoTags: image.references.map(familiarReference),
      RepoDigests: (image.repoDigests ?? []).map(familiarReference),
      Created: config.created ?? null,
      Architecture: config.architecture ?? null,
      Os: config.os ?? null,
      Variant: config.variant ?? null,
      Author: config.author ?? null,
      Config: {
        Env: config.config?.Env ?? [],
        Cmd: config.config?.Cmd ?? null,
        Entrypoint: config.config?.Entrypoint ?? null,
        WorkingDir: config.config?.WorkingDir ?? '',
        User: config.config?.User ?? '',
        Labels: stringRecord(config.config?.Labels),
      },
      RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
      Size: sizes.reduce((a, b) => a + b, 0),
      Manifest: { Digest: image.manifestDigest, Layers: image.layers.map((l) => ({ Digest: l.digest, Size: l.size, MediaType: l.mediaType })) },
      Metadata: { LoadedAt: image.loadedAt },
    };
  }

  /** The config's history, newest first, with each non-empty step's layer size (docker history). */
  async history(query: string): Promise<ImageHistoryEntry[]> {
    const image = await this.resolve(query);
    const config = await this.readConfig(image.id);
    type Step = NonNullable<ImageConfig['history']>[number];
    const steps: Step[] = config.history ?? image.layers.map((): Step => ({ created_by: '' }));
    let layer = 0;
    const out: ImageHistoryEntry[] = [];
    for (const step of steps) {
      let size = 0;
      if (!step.empty_layer) {
        const l = image.layers[layer++];
        if (l) size = (await this.layers.get(l.chainId))?.size ?? l.size;
      }
      out.push({ id: null, created: step.created ?? null, createdBy: step.created_by ?? '', size, comment: step.comment ?? '' });
    }
    out.reverse();
    if (out[0]) out[0].id = image.id;
    return out;
  }

  /**
   * Removes dangling images (no reference), or with `all` every image no
   * container uses, then blobs and layers nothing references any more.
   */
  async prune(all: boolean, inUse: (imageId: string) => Promise<string[]>): Promise<{ deleted: string[]; untagged: string[] }> {
    const images = await this.index.read();
    const victims: string[] = [];
    for (const img of Object.values(images)) {
      if (img.references.length > 0 && !all) continue;
      if ((await inUse(img.id)).length > 0) continue;
      victims.push(img.id);
    }
    const untagged: string[] = [];
    const removed: ImageRecord[] = [];
    if (victims.length > 0) {
      await this.index.update((current) => {
        for (const id of victims) {
          const rec = current[id];
          if (!rec) continue;
          untagged.push(...rec.references.map(familiarReference));
          removed.push(rec);
          delete current[id];
        }
      });
    }
    for (const rec of removed) {
      await this.collectGarbage(rec);
      this.events.imageChanged('delete', rec.id);
    }
    return { deleted: removed.map((r) => r.id), untagged };
  }

  /** Verifies (and with repair, fixes) the store: see store/store-check.ts. */
  async check(options: CheckOptions): Promise<CheckReport> {
    return (await storeCheck()).checkStore({ blobs: this.blobs, layers: this.layers, index: this.index, tmpDir: this.tmpDir, home: path.dirname(this.tmpDir) }, options);
  }

  async diskUsage(inUse: (imageId: string) => Promise<boolean>): Promise<DiskUsage> {
    return (await storeCheck()).diskUsage({ blobs: this.blobs, layers: this.layers, index: this.index, home: path.dirname(this.tmpDir) }, inUse);
  }

  /** Pulls from a registry; see registry/pull.ts. `tlsVerify: false` is podman's --tls-verify=false. */
  async pull(reference: string, options: PullOptions & { tlsVerify?: boolean } = {}): Promise<PullResult> {
    const conf = (await confMod()).loadRegistriesConf(this.env);
    const clients = new (await clientMod()).RegistryClients({ env: this.env, conf, ...(options.tlsVerify === false ? { tlsVerify: false } : {}) });
    const puller = new (await pullMod()).Puller({
      blobs: this.blobs,
      layers: this.layers,
      index: this.index,
      clients,
      conf,
      imageChanged: (id) => this.events.imageChanged('load', id),
      tmpDir: this.tmpDir,
    });
    return puller.pull(reference, options);
  }

  async readConfig(configDigest: string): Promise<ImageConfig> {
    return parseImageConfig(await this.blobs.readVerified(configDigest), configDigest);
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
      let candidates: string[];
      try {
        candidates = expandShortName(query, (await confMod()).loadRegistriesConf(this.env));
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

  /** Removes blobs and layers that only the removed image used (the build cache's stay for `builder prune`). */
  private async collectGarbage(removed: ImageRecord): Promise<void> {
    const { blobs: usedBlobs, layers: usedLayers } = referencedBy(await this.index.read(), await cacheReferences(path.dirname(this.tmpDir)));
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

/** "https://index.docker.io/v1/", "docker.io", "host:5000/path" -> the registry host as references name it. */
export function registryHost(input: string): string {
  let host = input.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === '') host = 'docker.io';
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(host)) throw new EngineError('E_INVALID_ARGUMENT', `"${input}" is not a registry host (e.g. docker.io, ghcr.io, localhost:5000)`);
  return host;
}

// Loaded when first used: registries, archives and store checks pull in zod,
// tar-stream, TLS and TOML, none of which `cove run` needs (bench/README.md).
const storeCheck = () => import('./store/store-check.js');
const clientMod = () => import('./registry/client.js');
const credMod = () => import('./registry/credentials.js');
const pullMod = () => import('./registry/pull.js');
const pushMod = () => import('./registry/push.js');
const confMod = () => import('./registry/registries-conf.js');

/** An image config's Labels, when it is the map of strings the image spec says it is. */
function stringRecord(v: unknown): Record<string, string> | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const entries = Object.entries(v);
  return entries.every(([, x]) => typeof x === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : null;
}
