import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { EngineError, isNodeError, isNoSpace, noSpace } from '../errors.js';
import { sanitizeEntryName } from '../unpack/entry-path.js';

export interface StagedArchive {
  dir: string;
  /** Removes the staging copy (a no-op for a layout directory given as input). */
  dispose(): Promise<void>;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    await handle.read(buf, 0, 2, 0);
    return buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Makes an image archive (docker-archive or oci-archive, optionally gzipped)
 * browsable as a directory: its regular files are copied under `tmpDir`.
 * Only plain files and in-archive symlinks between them (docker save writes
 * repeated layers as symlinks) are kept; nothing is written outside the
 * staging directory, whatever the archive names.
 */
export async function stageArchive(input: string, tmpDir: string): Promise<StagedArchive> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(input);
  } catch (err) {
    if (isNodeError(err, 'ENOENT')) throw new EngineError('E_INVALID_ARGUMENT', `no such file: ${input}`);
    throw err;
  }
  if (st.isDirectory()) return { dir: input, dispose: async () => undefined };
  const dir = path.join(tmpDir, `load-${process.pid}-${crypto.randomBytes(8).toString('hex')}`);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const dispose = (): Promise<void> => fsp.rm(dir, { recursive: true, force: true });
  const aliases: Array<{ name: string; target: string }> = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const done = (err?: unknown): void => {
      if (err) next(err instanceof Error ? err : new Error(String(err)));
      else next();
    };
    const handle = async (): Promise<boolean> => {
      const rel = sanitizeEntryName(header.name);
      if (rel === '') return false;
      if (header.type === 'symlink' && header.linkname) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), header.linkname));
        if (!target.startsWith('../') && target !== '..' && !path.posix.isAbsolute(target)) aliases.push({ name: rel, target });
        return false;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') return false;
      const abs = path.join(dir, rel);
      await fsp.mkdir(path.dirname(abs), { recursive: true, mode: 0o700 });
      // A repeated name replaces the earlier entry, as tar(1) does.
      await fsp.rm(abs, { force: true, recursive: true });
      await pipeline(stream, fs.createWriteStream(abs, { flags: 'wx', mode: 0o600 }));
      return true;
    };
    handle().then(
      (consumed) => {
        if (consumed) return done();
        stream.on('end', () => done());
        stream.resume();
      },
      (err: unknown) => {
        stream.resume();
        done(err);
      },
    );
  });
  try {
    const source = fs.createReadStream(input);
    if (await isGzip(input)) await pipeline(source, zlib.createGunzip(), extract);
    else await pipeline(source, extract);
    for (const alias of aliases) {
      const from = path.join(dir, alias.target);
      const to = path.join(dir, alias.name);
      const target = await fsp.lstat(from).catch(() => undefined);
      if (!target?.isFile()) continue;
      await fsp.mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
      await fsp.link(from, to).catch((err: unknown) => {
        if (!isNodeError(err, 'EEXIST')) throw err;
      });
    }
  } catch (err) {
    await dispose();
    if (err instanceof EngineError) throw err;
    if (isNoSpace(err)) throw noSpace(err, dir);
    throw new EngineError('E_ARCHIVE_INVALID', `${input} is not a readable image archive (tar): ${(err as Error).message}`, { cause: err });
  }
  return { dir, dispose };
}
