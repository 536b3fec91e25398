import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { LayerProgress } from '../../api/contract.js';
import { EngineError, isNodeError } from '../errors.js';
import { chainIds, shortId } from '../digest.js';
import type { Descriptor, Manifest } from '../archive/image-schemas.js';
import { parseImageConfig, type ImageConfig } from '../archive/image-config.js';
import type { BlobStore } from '../store/blob-store.js';
import type { LayerStore, PendingLayer } from '../store/layer-store.js';
import type { ImageIndex, ImageLayer, ImageRecord } from '../store/image-index.js';
import { diffDigest } from '../unpack/decompress.js';
import { takeLease } from '../store/leases.js';
import { expandShortName, familiarReference, parseReference } from '../reference.js';
import type { RegistryClient, RegistryClients } from './client.js';
import { CONFIG_LIMIT, parseManifest } from './manifest.js';
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform, selectPlatform, type Platform } from './platform.js';
import type { RegistriesConf } from './registries-conf.js';

/** Where pull progress goes: the task of the TaskRegistry (tasks.ts). */
export interface ProgressSink {
  setLayers(layers: LayerProgress[]): void;
  layer(digest: string, change: Partial<LayerProgress>): void;
}

export interface PullOptions {
  platform?: string;
  signal?: AbortSignal;
  progress?: ProgressSink;
}

export interface PullResult {
  id: string;
  /** The normalised reference that was pulled. */
  reference: string;
  /** The digest of what the reference points at (index or manifest). */
  digest: string;
  /** false: every layer was already in the store. */
  downloaded: boolean;
}

export interface PullDeps {
  blobs: BlobStore;
  layers: LayerStore;
  index: ImageIndex;
  clients: RegistryClients;
  conf: RegistriesConf;
  imageChanged(id: string): void;
  /** Where the pull's lease lives (tmp/ of the store). */
  tmpDir: string;
  /** Layers downloaded at once (docker's max-concurrent-downloads is 3). */
  concurrency?: number;
}

interface Resolved {
  reference: string;
  registry: string;
  repository: string;
  client: RegistryClient;
  topDigest: string;
  manifestDigest: string;
  manifestBytes: Buffer;
  manifest: Manifest;
}

const noProgress: ProgressSink = { setLayers: () => undefined, layer: () => undefined };

/** Runs `jobs` with at most `limit` in flight; the first failure aborts the rest through `abort`. */
async function pool(jobs: Array<() => Promise<void>>, limit: number, abort: AbortController): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && !abort.signal.aborted) {
      const job = jobs[next++] as () => Promise<void>;
      try {
        await job();
      } catch (err) {
        errors.push(err);
        abort.abort(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (errors.length > 0) {
    // Report the cause, not the cancellations it triggered in the other downloads.
    throw errors.find((e) => !(e instanceof EngineError && e.code === 'E_CANCELLED')) ?? errors[0];
  }
}

/**
 * Pulls an image (OCI distribution spec, "Pull"): resolve the name, fetch
 * the manifest (choosing the platform from an index), the config, then the
 * layers in parallel. Each layer streams once through size and digest
 * checks into the blob store and, in the same pass, into the unpack worker;
 * the diff ID is checked against the config before the layer is committed.
 * The image record is written last, so an interrupted pull leaves only
 * reusable blobs and layers, never a half image.
 */
export class Puller {
  constructor(private readonly d: PullDeps) {}

  async pull(input: string, o: PullOptions = {}): Promise<PullResult> {
    const progress = o.progress ?? noProgress;
    const want: Platform | null = o.platform ? parsePlatform(o.platform) : null;
    const resolved = await this.resolve(input, want, o.signal);
    const { manifest, client, repository } = resolved;

    const configBytes = (await this.d.blobs.has(manifest.config.digest))
      ? await this.d.blobs.readVerified(manifest.config.digest, CONFIG_LIMIT)
      : await client.getBlobBytes(repository, manifest.config, CONFIG_LIMIT, o.signal);
    const config = parseConfig(configBytes, manifest.config.digest);
    if (want && config.os && config.architecture) {
      const got = normalizePlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
      if (got.os !== want.os || got.architecture !== want.architecture) {
        throw new EngineError('E_PLATFORM_NOT_FOUND', `${familiarReference(resolved.reference)} is an image for ${formatPlatform(got)}, not ${formatPlatform(want)}`);
      }
    }
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new EngineError('E_MANIFEST_INVALID', `the manifest lists ${manifest.layers.length} layers but the image config has ${diffIds.length} diff_ids; the image is broken in the registry`);
    }
    const chains = chainIds(diffIds);

    const byDigest = new Map<string, number[]>();
    manifest.layers.forEach((l, i) => byDigest.set(l.digest, [...(byDigest.get(l.digest) ?? []), i]));
    progress.setLayers([...byDigest.entries()].map(([digest, at]) => ({ digest, size: (manifest.layers[at[0] ?? 0] as Descriptor).size, current: 0, status: 'waiting' })));

    const release = await takeLease(this.d.tmpDir, { blobs: [manifest.config.digest, resolved.manifestDigest, ...manifest.layers.map((l) => l.digest)], layers: chains });
    try {
      await this.d.blobs.putBytes(configBytes, manifest.config.digest, 'image config');
      return await this.fetchLayersAndCommit(resolved, config, chains, byDigest, progress, o.signal);
    } finally {
      await release();
    }
  }

  private async fetchLayersAndCommit(resolved: Resolved, config: ImageConfig, chains: string[], byDigest: Map<string, number[]>, progress: ProgressSink, signal: AbortSignal | undefined): Promise<PullResult> {
    const { manifest, client, repository } = resolved;
    const diffIds = config.rootfs.diff_ids;
    const o = { signal };
    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort(o.signal?.reason);
    o.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (o.signal?.aborted) abort.abort(o.signal.reason);
    let downloaded = false;
    try {
      // Biggest first (longest-processing-time scheduling): the pull ends when its slowest
      // layer does, so starting that one last would leave cores idle at the end.
      const order = [...byDigest.values()].sort((a, b) => (manifest.layers[b[0] as number] as Descriptor).size - (manifest.layers[a[0] as number] as Descriptor).size);
      await pool(
        order.map((positions) => async () => {
          const desc = manifest.layers[positions[0] as number] as Descriptor;
          if (await this.layerJob(client, repository, desc, positions, diffIds, chains, progress, abort.signal)) downloaded = true;
        }),
        this.d.concurrency ?? 3,
        abort,
      );
    } finally {
      o.signal?.removeEventListener('abort', onOuterAbort);
    }
    if (o.signal?.aborted) throw new EngineError('E_CANCELLED', 'the pull was cancelled');

    await this.d.blobs.putBytes(resolved.manifestBytes, resolved.manifestDigest, 'manifest');
    const layers: ImageLayer[] = manifest.layers.map((l, i) => ({
      digest: l.digest,
      size: l.size,
      mediaType: l.mediaType ?? 'application/vnd.oci.image.layer.v1.tar+gzip',
      diffId: diffIds[i] as string,
      chainId: chains[i] as string,
    }));
    const ref = parseReference(resolved.reference);
    const repoDigest = `${resolved.registry}/${repository}@${resolved.topDigest}`;
    const record: ImageRecord = {
      id: manifest.config.digest,
      manifestDigest: resolved.manifestDigest,
      layers,
      references: ref.tag !== null && ref.digest === null ? [resolved.reference] : [],
      createdAt: config.created ?? null,
      loadedAt: new Date().toISOString(),
      repoDigests: [repoDigest],
      source: { registry: resolved.registry, repository },
    };
    await this.d.index.update((images) => {
      for (const other of Object.values(images)) {
        if (other.id !== record.id) other.references = other.references.filter((r) => !record.references.includes(r));
      }
      const previous = images[record.id];
      images[record.id] = {
        ...record,
        references: [...new Set([...(previous?.references ?? []), ...record.references])],
        repoDigests: [...new Set([...(previous?.repoDigests ?? []), repoDigest])],
        loadedAt: previous?.loadedAt ?? record.loadedAt,
      };
    });
    this.d.imageChanged(record.id);
    return { id: record.id, reference: resolved.reference, digest: resolved.topDigest, downloaded };
  }

  /** Short names try each candidate (alias, then search registries) until one has the image. */
  private async resolve(input: string, want: Platform | null, signal?: AbortSignal): Promise<Resolved> {
    const candidates = expandShortName(input, this.d.conf);
    const failures: string[] = [];
    let firstOther: unknown;
    for (const reference of candidates) {
      const ref = parseReference(reference);
      const client = this.d.clients.get(ref.domain);
      try {
        return await this.fetchManifest(client, ref.domain, ref.path, ref.digest ?? (ref.tag as string), reference, want, signal);
      } catch (err) {
        if (candidates.length === 1) throw err;
        if (err instanceof EngineError && err.code === 'E_CANCELLED') throw err;
        firstOther ??= err instanceof EngineError && err.code === 'E_IMAGE_NOT_FOUND' ? undefined : err;
        failures.push(`${familiarReference(reference)}: ${(err as Error).message}`);
      }
    }
    if (firstOther) throw firstOther;
    throw new EngineError('E_IMAGE_NOT_FOUND', `${input} was not found in any search registry (${failures.join('; ')}); give the full name, e.g. docker.io/library/${input}`);
  }

  private async fetchManifest(client: RegistryClient, registry: string, repository: string, tagOrDigest: string, reference: string, want: Platform | null, signal?: AbortSignal): Promise<Resolved> {
    const top = await client.getManifest(repository, tagOrDigest, signal);
    const parsed = parseManifest(top.bytes, top.contentType, `the manifest of ${familiarReference(reference)}`);
    if (parsed.kind === 'image') {
      return { reference, registry, repository, client, topDigest: top.digest, manifestDigest: top.digest, manifestBytes: top.bytes, manifest: parsed.manifest };
    }
    const chosen = selectPlatform(parsed.manifests, want ?? hostPlatform());
    const inner = await client.getManifest(repository, chosen.digest, signal);
    const what = `the ${chosen.platform ? formatPlatform(chosen.platform) : ''} manifest of ${familiarReference(reference)}`;
    const parsedInner = parseManifest(inner.bytes, inner.contentType, what);
    if (parsedInner.kind !== 'image') throw new EngineError('E_MANIFEST_UNSUPPORTED', `${what} is another index; nested indexes are not supported`);
    return { reference, registry, repository, client, topDigest: top.digest, manifestDigest: inner.digest, manifestBytes: inner.bytes, manifest: parsedInner.manifest };
  }

  /** Gets one blob (once, even if several layers share it) and every layer made from it. Returns whether it downloaded. */
  private async layerJob(client: RegistryClient, repository: string, desc: Descriptor, positions: number[], diffIds: string[], chains: string[], progress: ProgressSink, signal: AbortSignal): Promise<boolean> {
    const { blobs, layers } = this.d;
    const missing: number[] = [];
    for (const i of positions) if (!(await layers.get(chains[i] as string))) missing.push(i);
    const haveBlob = (await blobs.size(desc.digest)) === desc.size;
    if (haveBlob && missing.length === 0) {
      progress.layer(desc.digest, { status: 'exists', current: desc.size });
      return false;
    }
    let rest = missing;
    if (!haveBlob) {
      await this.download(client, repository, desc, missing[0] ?? null, positions[0] as number, diffIds, chains, progress, signal);
      rest = missing.slice(1);
    }
    for (const i of rest) {
      progress.layer(desc.digest, { status: 'extracting', current: desc.size });
      await layers.unpack(blobs.path(desc.digest), chains[i] as string, diffIds[i] as string, i === 0 ? null : (chains[i - 1] as string));
    }
    progress.layer(desc.digest, { status: 'done', current: desc.size });
    return !haveBlob;
  }

  /**
   * One pass over the network stream: each chunk is counted, hashed and
   * written to the blob's temp file and to the unpack worker's stdin. Only
   * when the size and digest match the manifest, and the worker's diff ID
   * matches the config, are the layer and then the blob renamed into place.
   */
  private async download(client: RegistryClient, repository: string, desc: Descriptor, unpackAt: number | null, position: number, diffIds: string[], chains: string[], progress: ProgressSink, signal: AbortSignal): Promise<void> {
    const { blobs, layers } = this.d;
    const what = `layer ${shortId(desc.digest)}`;
    const writer = await blobs.writer(what);
    let pending: PendingLayer | null = null;
    let hashOnly: { sink: PassThrough; result: Promise<{ diffId: string }> } | null = null;
    try {
      if (unpackAt !== null) pending = await layers.begin('stdin', chains[unpackAt]);
      else {
        // The layer is unpacked already (another image shares it): only check the blob decompresses to its diff ID.
        const sink = new PassThrough();
        hashOnly = { sink, result: diffDigest(sink) };
        hashOnly.result.catch(() => undefined);
      }
      const target = pending?.process.stdin ?? hashOnly?.sink;
      progress.layer(desc.digest, { status: 'downloading', current: 0 });
      for await (const chunk of client.blob(repository, desc, signal)) {
        if (writer.size + chunk.length > desc.size) {
          throw new EngineError('E_DIGEST_MISMATCH', `${what}: the registry sent more than the ${desc.size} bytes the manifest says; nothing was stored`);
        }
        await writer.write(chunk);
        if (target && !target.write(chunk)) {
          const stopped = (): Promise<never> => Promise.reject(new EngineError('E_INTERNAL', 'the unpack worker stopped reading'));
          const exited = pending ? pending.process.result.then(stopped) : new Promise<never>(() => undefined);
          // A worker that died (e.g. ENOSPC) makes the drain wait fail with EPIPE first; its own verdict is the error to report.
          await Promise.race([once(target, 'drain'), exited]).catch((err: unknown) => (pending && isNodeError(err, 'EPIPE') ? exited : Promise.reject(err)));
        }
        progress.layer(desc.digest, { current: writer.size });
      }
      progress.layer(desc.digest, { status: 'verifying' });
      await writer.check({ digest: desc.digest, size: desc.size });
      target?.end();
      const expectedDiffId = diffIds[unpackAt ?? position] as string;
      if (pending) {
        progress.layer(desc.digest, { status: 'extracting' });
        const p = pending;
        pending = null;
        await layers.commit(p, { diffId: expectedDiffId, chainId: chains[unpackAt as number] as string, parent: unpackAt === 0 ? null : (chains[(unpackAt as number) - 1] as string) });
      } else if (hashOnly) {
        const { diffId } = await hashOnly.result;
        if (diffId !== expectedDiffId) throw new EngineError('E_DIGEST_MISMATCH', `${what} decompresses to diff ID ${diffId}, but the image config says ${expectedDiffId}; the image is corrupt`);
      }
      await writer.commit({ digest: desc.digest, size: desc.size });
    } catch (err) {
      await writer.discard();
      hashOnly?.sink.destroy();
      if (pending) await layers.discard(pending);
      progress.layer(desc.digest, { status: 'failed' });
      throw err;
    }
  }
}

function parseConfig(bytes: Buffer, digest: string): ImageConfig {
  return parseImageConfig(bytes, digest);
}
