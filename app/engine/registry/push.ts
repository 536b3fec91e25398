import fs from 'node:fs/promises';
import type { LayerProgress } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { sha256Of, shortId } from '../digest.js';
import type { Descriptor } from '../archive/image-schemas.js';
import type { BlobStore } from '../store/blob-store.js';
import type { ImageIndex, ImageRecord } from '../store/image-index.js';
import { familiarReference, parseReference } from '../reference.js';
import type { RegistryClient, RegistryClients } from './client.js';
import { readBody } from './http.js';
import { parseManifest } from './manifest.js';
import type { ProgressSink } from './pull.js';

export interface PushOptions {
  signal?: AbortSignal;
  progress?: ProgressSink;
}

export interface PushDeps {
  blobs: BlobStore;
  index: ImageIndex;
  clients: RegistryClients;
  /** Bytes per PATCH of a chunked upload. */
  chunkSize?: number;
  concurrency?: number;
}

const DEFAULT_CHUNK = 8 * 1024 * 1024;
const noProgress: ProgressSink = { setLayers: () => undefined, layer: () => undefined };

/**
 * Pushes a stored image (OCI distribution spec, "Push"): every blob is
 * first checked with HEAD, mounted from the repository it was pulled from
 * when that is on the same registry, and otherwise uploaded in chunks
 * (POST, PATCH with Content-Range, PUT ?digest=); the manifest goes last,
 * byte for byte, so its digest is the one the store has.
 */
export class Pusher {
  constructor(private readonly d: PushDeps) {}

  async push(image: ImageRecord, destination: string, o: PushOptions = {}): Promise<{ reference: string; digest: string }> {
    const progress = o.progress ?? noProgress;
    const ref = parseReference(destination);
    if (ref.digest !== null) throw new EngineError('E_INVALID_REFERENCE', `push to a tag, not a digest: ${destination}`);
    const client = this.d.clients.get(ref.domain);
    const repository = ref.path;
    const manifestBytes = await this.d.blobs.readVerified(image.manifestDigest);
    const parsed = parseManifest(manifestBytes, undefined, `the stored manifest of ${shortId(image.id)}`);
    if (parsed.kind !== 'image') throw new EngineError('E_MANIFEST_UNSUPPORTED', 'pushing an index is not supported');
    const descs = [parsed.manifest.config, ...parsed.manifest.layers];
    const unique = [...new Map(descs.map((d) => [d.digest, d])).values()];
    progress.setLayers(unique.map((d): LayerProgress => ({ digest: d.digest, size: d.size, current: 0, status: 'waiting' })));
    const mountFrom = image.source && image.source.registry === ref.domain && image.source.repository !== repository ? image.source.repository : null;
    const actions = mountFrom ? `pull,push repository:${mountFrom}:pull` : 'pull,push';
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < unique.length) {
        const desc = unique[next++] as Descriptor;
        await this.pushBlob(client, repository, actions, desc, mountFrom, progress, o.signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.d.concurrency ?? 3, unique.length) }, worker));
    const res = await client.send(repository, actions, 'PUT', `/v2/${repository}/manifests/${ref.tag ?? 'latest'}`, {
      headers: { 'content-type': parsed.mediaType },
      body: manifestBytes,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const body = await readBody(res, 64 * 1024, 'the answer');
    if (res.status !== 201 && res.status !== 200) {
      throw new EngineError('E_REGISTRY_ERROR', `${ref.domain} refused the manifest of ${familiarReference(destination)} (HTTP ${res.status}): ${body.toString('utf8').slice(0, 300)}`);
    }
    const digest = sha256Of(manifestBytes);
    const repoDigest = `${ref.domain}/${repository}@${digest}`;
    await this.d.index.update((images) => {
      const rec = images[image.id];
      if (rec && !(rec.repoDigests ?? []).includes(repoDigest)) rec.repoDigests = [...(rec.repoDigests ?? []), repoDigest];
    });
    return { reference: `${ref.domain}/${repository}:${ref.tag ?? 'latest'}`, digest };
  }

  private async pushBlob(client: RegistryClient, repository: string, actions: string, desc: Descriptor, mountFrom: string | null, progress: ProgressSink, signal?: AbortSignal): Promise<void> {
    const sig = signal ? { signal } : {};
    const head = await client.send(repository, actions, 'HEAD', `/v2/${repository}/blobs/${desc.digest}`, sig);
    head.body.resume();
    if (head.status === 200) {
      progress.layer(desc.digest, { status: 'exists', current: desc.size });
      return;
    }
    const start = mountFrom
      ? `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(mountFrom)}`
      : `/v2/${repository}/blobs/uploads/`;
    const begun = await client.send(repository, actions, 'POST', start, { body: Buffer.alloc(0), ...sig });
    begun.body.resume();
    if (begun.status === 201) {
      progress.layer(desc.digest, { status: 'exists', current: desc.size });
      return;
    }
    if (begun.status !== 202 || !begun.headers.location) throw new EngineError('E_REGISTRY_ERROR', `${client.registry} did not start an upload for ${shortId(desc.digest)} (HTTP ${begun.status})`);
    let location = new URL(begun.headers.location, begun.url);
    const file = await fs.open(this.d.blobs.path(desc.digest), 'r');
    try {
      const chunkSize = this.d.chunkSize ?? DEFAULT_CHUNK;
      let offset = 0;
      progress.layer(desc.digest, { status: 'downloading', current: 0 });
      while (offset < desc.size) {
        const length = Math.min(chunkSize, desc.size - offset);
        const chunk = Buffer.alloc(length);
        const { bytesRead } = await file.read(chunk, 0, length, offset);
        if (bytesRead !== length) throw new EngineError('E_STORE_CORRUPT', `blob ${desc.digest} is shorter than its descriptor; run cove system check`);
        // Chunked upload (distribution spec "Pushing a blob in chunks"): Content-Range is inclusive.
        const res = await client.send(repository, actions, 'PATCH', '', {
          absolute: location,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + length - 1}` },
          body: chunk,
          ...sig,
        });
        res.body.resume();
        if (res.status !== 202 || !res.headers.location) throw new EngineError('E_REGISTRY_ERROR', `${client.registry} refused a chunk of ${shortId(desc.digest)} (HTTP ${res.status})`);
        location = new URL(res.headers.location, res.url);
        offset += length;
        progress.layer(desc.digest, { current: offset });
      }
    } finally {
      await file.close();
    }
    location.searchParams.set('digest', desc.digest);
    const done = await client.send(repository, actions, 'PUT', '', { absolute: location, body: Buffer.alloc(0), headers: { 'content-type': 'application/octet-stream' }, ...sig });
    const body = await readBody(done, 64 * 1024, 'the answer');
    if (done.status !== 201) throw new EngineError('E_REGISTRY_ERROR', `${client.registry} did not accept blob ${shortId(desc.digest)} (HTTP ${done.status}): ${body.toString('utf8').slice(0, 300)}`);
    progress.layer(desc.digest, { status: 'done', current: desc.size });
  }
}
