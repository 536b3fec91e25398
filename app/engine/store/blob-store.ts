import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError, isNodeError, noSpace } from '../errors.js';
import { assertDigest, digestHex } from '../digest.js';
import { fsyncDir, ensureDir } from '../fs-atomic.js';

/**
 * Content-addressed blobs at blobs/sha256/<hex>. A blob only gets its final
 * name after its digest was checked and its bytes fsynced, so a crash leaves
 * at worst a temp file, never a blob whose name lies about its content.
 */
export class BlobStore {
  private readonly dir: string;
  constructor(
    home: string,
    private readonly tmpDir: string,
  ) {
    this.dir = path.join(home, 'blobs', 'sha256');
  }

  async init(): Promise<void> {
    await ensureDir(this.dir);
    await ensureDir(this.tmpDir);
  }

  path(digest: string): string {
    return path.join(this.dir, digestHex(assertDigest(digest, 'blob digest')));
  }

  async has(digest: string): Promise<boolean> {
    try {
      await fsp.access(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  /** Streams into the store; rejects with E_DIGEST_MISMATCH if `expected` is given and differs. */
  async put(source: Readable, expected?: string, what = 'blob'): Promise<{ digest: string; size: number }> {
    const temp = this.tempName();
    const hash = crypto.createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const out = fs.createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    try {
      await pipeline(source, counter, out);
      const digest = 'sha256:' + hash.digest('hex');
      if (expected !== undefined && digest !== expected) {
        throw new EngineError('E_DIGEST_MISMATCH', `${what}: content has digest ${digest}, but ${expected} was expected; the source is corrupt or was tampered with`);
      }
      const handle = await fsp.open(temp, 'r');
      await handle.sync();
      await handle.close();
      await fsp.rename(temp, this.path(digest));
      await fsyncDir(this.dir);
      return { digest, size };
    } catch (err) {
      await fsp.rm(temp, { force: true });
      throw noSpace(err, temp);
    }
  }

  /** tmp/blob-<pid>-<random>: the pid tells `system check` whether the writer is still alive. */
  private tempName(): string {
    return path.join(this.tmpDir, `blob-${process.pid}-${crypto.randomBytes(8).toString('hex')}`);
  }

  /** A blob written chunk by chunk (a download), named only once its digest checked out. */
  async writer(what = 'blob'): Promise<BlobWriter> {
    const temp = this.tempName();
    const handle = await fsp.open(temp, 'wx', 0o600);
    return new BlobWriter(temp, handle, what, async (digest) => {
      await fsp.rename(temp, this.path(digest));
      await fsyncDir(this.dir);
    });
  }

  /** Streams a stored blob through sha256 (system check); null when missing. */
  async verify(digest: string): Promise<{ ok: boolean; size: number } | null> {
    const hash = crypto.createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of fs.createReadStream(this.path(digest), { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
      }
    } catch (err) {
      if (isNodeError(err, 'ENOENT')) return null;
      throw err;
    }
    return { ok: 'sha256:' + hash.digest('hex') === digest, size };
  }

  async size(digest: string): Promise<number | null> {
    try {
      return (await fsp.stat(this.path(digest))).size;
    } catch {
      return null;
    }
  }

  async putBytes(data: Uint8Array, expected?: string, what?: string): Promise<{ digest: string; size: number }> {
    const { Readable } = await import('node:stream');
    return this.put(Readable.from([Buffer.from(data)]), expected, what);
  }

  /** Reads a small blob (manifest, config) and re-checks its digest. */
  async readVerified(digest: string, maxBytes = 4 * 1024 * 1024): Promise<Buffer> {
    const file = this.path(digest);
    const st = await fsp.stat(file).catch((err: unknown) => {
      if (isNodeError(err, 'ENOENT')) throw new EngineError('E_STORE_CORRUPT', `blob ${digest} is missing from the store; run cove system check`);
      throw err;
    });
    if (st.size > maxBytes) throw new EngineError('E_MANIFEST_INVALID', `blob ${digest} is ${st.size} bytes, more than ${maxBytes} allowed for metadata`);
    const data = await fsp.readFile(file);
    const actual = 'sha256:' + crypto.createHash('sha256').update(data).digest('hex');
    if (actual !== digest) throw new EngineError('E_STORE_CORRUPT', `blob ${digest} is corrupt on disk (content is ${actual}); run cove system check`);
    return data;
  }

  async remove(digest: string): Promise<void> {
    await fsp.rm(this.path(digest), { force: true });
  }

  async list(): Promise<string[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }
}

/** One blob being written: hashed and counted as it goes; commit checks size and digest, fsyncs, renames. */
export class BlobWriter {
  private readonly hash = crypto.createHash('sha256');
  size = 0;
  private closed = false;

  constructor(
    readonly temp: string,
    private readonly handle: fsp.FileHandle,
    private readonly what: string,
    private readonly place: (digest: string) => Promise<void>,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    this.size += chunk.length;
    let off = 0;
    try {
      while (off < chunk.length) off += (await this.handle.write(chunk, off, chunk.length - off)).bytesWritten;
    } catch (err) {
      throw noSpace(err, this.temp);
    }
  }

  private computed: string | undefined;

  /** The digest of everything written; call once writing is done. */
  digest(): string {
    this.computed ??= 'sha256:' + this.hash.digest('hex');
    return this.computed;
  }

  /** Throws E_DIGEST_MISMATCH (and discards) unless size and digest are as expected. */
  async check(expected: { digest: string; size: number }): Promise<void> {
    const digest = this.digest();
    let problem: string | undefined;
    if (this.size !== expected.size) problem = `${this.what}: got ${this.size} bytes, but the manifest says ${expected.size}; the registry sent corrupt data and nothing was stored`;
    else if (digest !== expected.digest) problem = `${this.what}: content has digest ${digest}, but ${expected.digest} was expected; the source is corrupt or was tampered with, and nothing was stored`;
    if (problem) {
      await this.discard();
      throw new EngineError('E_DIGEST_MISMATCH', problem);
    }
  }

  async commit(expected: { digest: string; size: number }): Promise<{ digest: string; size: number }> {
    await this.check(expected);
    const digest = this.digest();
    try {
      await this.handle.sync();
      await this.handle.close();
      this.closed = true;
      await this.place(digest);
      return { digest, size: this.size };
    } catch (err) {
      await this.discard();
      throw noSpace(err, this.temp);
    }
  }

  async discard(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await fsp.rm(this.temp, { force: true });
  }
}
