import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { EngineError } from '../errors.js';
import { digestHex } from '../digest.js';
import { fsyncDir } from '../fs-atomic.js';
import { familiarReference, parseReference } from '../reference.js';
import { MEDIA_TYPES } from './image-schemas.js';

export type ArchiveFormat = 'docker-archive' | 'oci-archive';

export interface SaveImage {
  references: string[];
  manifestDigest: string;
  manifestMediaType: string;
  configDigest: string;
  layerDigests: string[];
}

/**
 * Writes images as a tar: blobs under blobs/sha256/, an OCI layout
 * (oci-layout, index.json with containerd's and OCI's name annotations),
 * and for docker-archive also manifest.json with RepoTags, the way docker 25
 * writes `docker save`, so both docker load and OCI tools read it. Written
 * to a temp file and renamed, so a failed save leaves no half archive.
 */
export async function writeArchive(file: string, images: SaveImage[], format: ArchiveFormat, blobPath: (digest: string) => string): Promise<void> {
  const pack = tar.pack();
  const temp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const out = fs.createWriteStream(temp, { flags: 'wx', mode: 0o644 });
  const written = pipeline(pack, out);
  const mtime = new Date(0);
  const addBytes = (name: string, data: Buffer): Promise<void> =>
    new Promise((resolve, reject) => pack.entry({ name, size: data.length, mode: 0o644, mtime }, data, (err) => (err ? reject(err) : resolve())));
  const addFile = async (name: string, source: string): Promise<void> => {
    const st = await fsp.stat(source).catch(() => {
      throw new EngineError('E_STORE_CORRUPT', `blob ${path.basename(source)} is missing from the store; run cove system check`);
    });
    const entry = pack.entry({ name, size: st.size, mode: 0o644, mtime });
    await pipeline(fs.createReadStream(source), entry);
  };
  try {
    await addBytes('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    const seen = new Set<string>();
    for (const img of images) {
      for (const digest of [img.configDigest, ...img.layerDigests, img.manifestDigest]) {
        if (seen.has(digest)) continue;
        seen.add(digest);
        await addFile(`blobs/sha256/${digestHex(digest)}`, blobPath(digest));
      }
    }
    const manifests = images.flatMap((img) => {
      const size = fs.statSync(blobPath(img.manifestDigest)).size;
      const base = { mediaType: img.manifestMediaType, digest: img.manifestDigest, size };
      if (img.references.length === 0) return [base];
      return img.references.map((ref) => ({ ...base, annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': parseReference(ref).tag ?? 'latest' } }));
    });
    await addBytes('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests })));
    if (format === 'docker-archive') {
      const manifest = images.map((img) => ({
        Config: `blobs/sha256/${digestHex(img.configDigest)}`,
        RepoTags: img.references.map(familiarReference),
        Layers: img.layerDigests.map((d) => `blobs/sha256/${digestHex(d)}`),
      }));
      await addBytes('manifest.json', Buffer.from(JSON.stringify(manifest)));
    }
    pack.finalize();
    await written;
    const handle = await fsp.open(temp, 'r');
    await handle.sync();
    await handle.close();
    await fsp.rename(temp, file);
    await fsyncDir(path.dirname(path.resolve(file)));
  } catch (err) {
    pack.destroy();
    await written.catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw err;
  }
}
