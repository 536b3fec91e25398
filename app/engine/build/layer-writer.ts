// Turns a step's changes into an OCI layer: the upper directory is read by
// GNU tar inside the user namespace (owners are the container's ids),
// overlayfs whiteouts become `.wh.` entries and opaque directories get
// `.wh..wh..opq` (image-spec layer.md), and the tar is stored as a blob and
// unpacked once into the layer store like any pulled layer.
import { Transform, type Readable } from 'node:stream';
import tar from 'tar-stream';
import { EngineError } from '../errors.js';
import { sha256Of } from '../digest.js';
import { MEDIA_TYPES } from '../archive/media-types.js';
import type { IdMappings } from '../idmap.js';
import { spawnInUserns } from '../userns.js';
import type { BlobStore } from '../store/blob-store.js';
import type { LayerStore } from '../store/layer-store.js';
import type { ImageLayer } from '../store/image-index.js';

export type TarHeader = Parameters<tar.Pack['entry']>[0];

/** Adds one entry; regular files always get a body (tar-stream waits for one otherwise). */
export function putEntry(pack: tar.Pack, header: TarHeader, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    if (header.type === 'file' || body) pack.entry(header, body ?? Buffer.alloc(0), done);
    else pack.entry(header, done);
  });
}

/**
 * A pass-through that hands on ~1 MiB chunks: a layer of thousands of small
 * files comes out of the packer as thousands of small chunks, and the blob's
 * file stream would write each with its own call through the thread pool.
 */
export function batchedChunks(size = 1024 * 1024): Transform {
  let held: Buffer[] = [];
  let bytes = 0;
  return new Transform({
    readableHighWaterMark: 4 * size,
    writableHighWaterMark: 4 * size,
    transform(chunk: Buffer, _enc, done) {
      held.push(chunk);
      bytes += chunk.length;
      if (bytes < size) return done();
      const out = Buffer.concat(held, bytes);
      held = [];
      bytes = 0;
      done(null, out);
    },
    flush(done) {
      done(null, bytes > 0 ? Buffer.concat(held, bytes) : undefined);
    },
  });
}

export interface LayerDeps {
  blobs: BlobStore;
  layers: LayerStore;
}

/** xattrs a layer keeps (file capabilities); overlayfs' own bookkeeping is dropped. */
const KEEP_XATTR = /^SCHILY\.xattr\.security\.capability$/;
const OPAQUE = 'SCHILY.xattr.user.overlay.opaque';

/** The upper directory as a layer tar stream, whiteouts converted. */
export function upperAsLayerTar(mappings: IdMappings, upper: string): Readable {
  const u = spawnInUserns(mappings, [
    'tar', '-c', '-f', '-', '-C', upper, '--numeric-owner', '--sort=name',
    '--xattrs', '--xattrs-include=user.overlay.opaque', '--xattrs-include=security.capability', '.',
  ]);
  const extract = tar.extract();
  const pack = tar.pack();
  const out = batchedChunks();
  pack.pipe(out);
  const fail = (err: Error): void => {
    out.destroy(err);
    u.child.kill('SIGKILL');
  };
  u.child.on('error', fail);
  let exited: Promise<number | null> = new Promise((resolve) => u.child.on('close', (code) => resolve(code)));
  const entry = (header: TarHeader, body?: Buffer): Promise<void> => putEntry(pack, header, body);
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      const name = header.name.replace(/^\.\//, '').replace(/\/$/, '');
      const work = async (): Promise<void> => {
        if (name === '' || name === '.') return;
        const pax = (header.pax ?? {}) as Record<string, string>;
        const kept = Object.fromEntries(Object.entries(pax).filter(([k]) => KEEP_XATTR.test(k)));
        const base = { mode: header.mode ?? 0o644, uid: header.uid ?? 0, gid: header.gid ?? 0, mtime: header.mtime ?? new Date(0), ...(Object.keys(kept).length ? { pax: kept } : {}) };
        const slash = name.lastIndexOf('/');
        const dir = slash < 0 ? '' : name.slice(0, slash + 1);
        const leaf = name.slice(slash + 1);
        if (header.type === 'character-device' && (header.devmajor ?? 0) === 0 && (header.devminor ?? 0) === 0) {
          await entry({ name: `${dir}.wh.${leaf}`, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: base.mtime });
          return;
        }
        if (header.type === 'directory') {
          await entry({ ...base, name: `${name}/`, type: 'directory' });
          if (pax[OPAQUE] === 'y') await entry({ name: `${name}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: base.mtime });
          return;
        }
        if (header.type === 'file' || header.type === 'contiguous-file') {
          await entry({ ...base, name, type: 'file', size: chunks.reduce((a, c) => a + c.length, 0) }, Buffer.concat(chunks));
        } else if (header.type === 'symlink') await entry({ ...base, name, type: 'symlink', linkname: header.linkname ?? '' });
        else if (header.type === 'link') await entry({ ...base, name, type: 'link', linkname: (header.linkname ?? '').replace(/^\.\//, '') });
        else if (header.type === 'fifo') await entry({ ...base, name, type: 'fifo' });
        // Other device nodes cannot be made rootless; like containers/storage, they are skipped.
      };
      work().then(() => next(), (err: Error) => fail(err));
    });
  });
  extract.on('finish', () => {
    exited.then((code) => {
      if (code !== 0) fail(new EngineError('E_BUILD_FAILED', `reading the step's changes failed: ${u.stderr().trim().slice(-400)}`));
      else pack.finalize();
    }, fail);
  });
  extract.on('error', fail);
  u.child.stdout?.pipe(extract);
  exited = exited.then((c) => c);
  return out;
}

/**
 * Stores an uncompressed layer tar as a blob (its digest is its diff ID)
 * and unpacks it on top of `parent` in the layer store.
 */
export async function commitLayer(deps: LayerDeps, source: Readable, parent: ImageLayer | null): Promise<ImageLayer> {
  const blob = await deps.blobs.put(source, undefined, 'build layer');
  const diffId = blob.digest;
  const chainId = parent ? sha256Of(`${parent.chainId} ${diffId}`) : diffId;
  await deps.layers.unpack(deps.blobs.path(blob.digest), chainId, diffId, parent?.chainId ?? null);
  return { digest: blob.digest, size: blob.size, mediaType: MEDIA_TYPES.ociLayer, diffId, chainId };
}

/**
 * A RUN step's layer: the converted tar of its upper dir is stored as the
 * blob, and the upper dir itself becomes the unpacked layer (same format),
 * so the files are not written a second time.
 */
export async function commitUpper(deps: LayerDeps, mappings: IdMappings, upper: string, parent: ImageLayer | null): Promise<ImageLayer> {
  return adoptLayer(deps, upper, await deps.blobs.put(upperAsLayerTar(mappings, upper), undefined, 'build layer'), parent);
}

/** Records `dir` (already in the layer format) as the unpacked form of the uncompressed layer blob. */
export async function adoptLayer(deps: LayerDeps, dir: string, blob: { digest: string; size: number }, parent: ImageLayer | null): Promise<ImageLayer> {
  const diffId = blob.digest;
  const chainId = parent ? sha256Of(`${parent.chainId} ${diffId}`) : diffId;
  await deps.layers.adopt(dir, { chainId, diffId, parent: parent?.chainId ?? null, size: blob.size });
  return { digest: blob.digest, size: blob.size, mediaType: MEDIA_TYPES.ociLayer, diffId, chainId };
}
