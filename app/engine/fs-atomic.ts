import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { noSpace } from './errors.js';

/** fsync a directory so a rename inside it survives a crash (rename(2), fsync(2)). */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.tmp-${path.basename(target)}-${crypto.randomBytes(6).toString('hex')}`);
}

export interface AtomicWriteOptions {
  /**
   * false: temp + rename only, no fsync. Readers and a kill -9 still see the
   * old content or the new (the page cache outlives the process); only a
   * power cut can lose the change, so it is for state that means nothing
   * after one (what a process of this boot is doing).
   */
  durable: boolean;
}

/**
 * Write-temp, fsync, rename, fsync-dir: a reader (or a kill -9) sees either
 * the old content or the new, never a torn file.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, mode = 0o600, o: AtomicWriteOptions = { durable: true }): Promise<void> {
  const temp = tempPathFor(target);
  try {
    const handle = await fs.open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      if (o.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (err) {
    // A full disk leaves no half-written temp file behind, and says where it is full.
    await fs.rm(temp, { force: true });
    throw noSpace(err, target);
  }
  if (o.durable) await fsyncDir(path.dirname(target));
}

export async function writeJsonAtomic(target: string, value: unknown, o: AtomicWriteOptions = { durable: true }): Promise<void> {
  await writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n', 0o600, o);
}

export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode });
}
