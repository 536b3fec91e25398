import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError, isNodeError } from '../errors.js';
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
    const temp = path.join(this.tmpDir, `blob-${crypto.randomBytes(8).toString('hex')}`);
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
      throw err;
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
