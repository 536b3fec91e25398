// The build result as an OCI image: config (with history per instruction),
// manifest and the images.json record, written only once every step is done.
import { MEDIA_TYPES } from '../archive/media-types.js';
import { normalizeReference } from '../reference.js';
import type { BlobStore } from '../store/blob-store.js';
import type { ImageIndex, ImageRecord } from '../store/image-index.js';
import type { BuildOptions, StageState } from './build-types.js';

export interface ImageWriterDeps {
  blobs: BlobStore;
  index: ImageIndex;
  imageChanged(id: string): void;
}

export async function writeImage(deps: ImageWriterDeps, state: StageState, options: BuildOptions): Promise<{ id: string; references: string[] }> {
  const references = [...new Set((options.tags ?? []).map((t) => normalizeReference(t)))];
  const now = new Date().toISOString();
  // The image is as old as its newest step: a fully cached rebuild gives the same config, so the same ID (as docker build).
  const created = state.history.map((h) => h.created).filter(Boolean).sort().at(-1) ?? now;
  const config = { ...state.config };
  if (options.labels && Object.keys(options.labels).length > 0) config.Labels = { ...(config.Labels ?? {}), ...options.labels };
  const image = {
    created,
    architecture: state.architecture,
    os: state.os,
    ...(state.author ? { author: state.author } : {}),
    config,
    rootfs: { type: 'layers', diff_ids: state.layers.map((l) => l.diffId) },
    history: state.history,
  };
  const configBlob = await deps.blobs.putBytes(Buffer.from(JSON.stringify(image)), undefined, 'image config');
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: configBlob.digest, size: configBlob.size },
    layers: state.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const manifestBlob = await deps.blobs.putBytes(Buffer.from(JSON.stringify(manifest)), undefined, 'manifest');
  const record: ImageRecord = { id: configBlob.digest, manifestDigest: manifestBlob.digest, layers: state.layers, references, createdAt: created, loadedAt: now };
  await deps.index.update((images) => {
    for (const other of Object.values(images)) if (other.id !== record.id) other.references = other.references.filter((r) => !references.includes(r));
    const previous = images[record.id];
    images[record.id] = { ...record, references: [...new Set([...(previous?.references ?? []), ...references])] };
  });
  deps.imageChanged(record.id);
  return { id: record.id, references };
}
