import zlib from 'node:zlib';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { Decompress as ZstdStream } from 'fzstd';
import { EngineError } from '../errors.js';

/**
 * zstd in pure JavaScript (fzstd): Node 20's zlib has no zstd, and a pure
 * decoder bundles into the unpack worker with no native build and no
 * dependency on a zstd binary on the user's machine (or in the macOS/Windows
 * VM). It is slower than libzstd, which matters little: registries still
 * serve gzip for nearly every image.
 */
export class ZstdDecompress extends Transform {
  private readonly z = new ZstdStream((chunk) => {
    this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      done();
    } catch (err) {
      done(new EngineError('E_ARCHIVE_INVALID', `the layer is not valid zstd: ${(err as Error).message}`));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(0), true);
      done();
    } catch (err) {
      done(new EngineError('E_ARCHIVE_INVALID', `the layer is not valid zstd (truncated?): ${(err as Error).message}`));
    }
  }
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** From the magic bytes: gzip (RFC 1952 §2.3.1) or zstd (RFC 8878 §3.1.1), else a plain tar. */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/**
 * Splits `source` into its head-restored stream and the transforms that
 * uncompress it; the caller pipelines them so an error anywhere fails the
 * whole chain.
 */
export async function decompressor(source: Readable): Promise<{ input: Readable; transforms: Transform[]; kind: Compression }> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  const pending: Buffer[] = [];
  // Gather at least 4 bytes to tell the formats apart.
  while (head.length < 4) {
    const next = await iterator.next();
    if (next.done) break;
    pending.push(next.value as Buffer);
    head = Buffer.concat(pending);
  }
  const input = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value as Buffer;
      }
    })(),
    { objectMode: false },
  );
  const kind = sniffCompression(head);
  const transforms: Transform[] = kind === 'gzip' ? [zlib.createGunzip({ chunkSize: 256 * 1024 })] : kind === 'zstd' ? [new ZstdDecompress()] : [];
  return { input, transforms, kind };
}

/** The diff ID (sha256 of the uncompressed tar) of a layer stream, without unpacking it. */
export async function diffDigest(source: Readable): Promise<{ diffId: string; size: number }> {
  const { createHash } = await import('node:crypto');
  const { Writable } = await import('node:stream');
  const { pipeline } = await import('node:stream/promises');
  const hash = createHash('sha256');
  let size = 0;
  const { input, transforms } = await decompressor(source);
  await pipeline([
    input,
    ...transforms,
    new Writable({
      write(chunk: Buffer, _e, done) {
        hash.update(chunk);
        size += chunk.length;
        done();
      },
    }),
  ]);
  return { diffId: 'sha256:' + hash.digest('hex'), size };
}
