import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { EngineError } from '../errors.js';
import { digestHex, sha256Of } from '../digest.js';
import { ensureDir, readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import type { IdMappings } from '../idmap.js';
import { removeAsMappedRoot } from '../userns.js';
import type { UnpackResult } from '../unpack/unpack-layer.js';
import type { VerifyResult } from '../unpack/verify-layer.js';
import { startUnpack, type UnpackProcess } from './unpack-process.js';
import { pidAlive } from './pid-alive.js';

export interface LayerRecord {
  chainId: string;
  diffId: string;
  parent: string | null;
  size: number;
}

/** A layer being unpacked under a temp name; it becomes a layer only through commit. */
export interface PendingLayer {
  temp: string;
  process: UnpackProcess;
}

/**
 * Unpacked layers at layers/<chainID>/diff, shared between images. A layer
 * counts only once layer.json exists; it is unpacked under a temp name
 * (`.tmp-<pid>-…`) and renamed into place, so a crash mid-unpack leaves only
 * a temp directory whose dead pid marks it as garbage for `system check`.
 */
export class LayerStore {
  readonly dir: string;
  /** Told what an unpack left out (set by the engine, which turns it into a warning event). */
  onWarning: (chainId: string, message: string) => void = () => undefined;

  constructor(
    home: string,
    private readonly mappings: IdMappings,
  ) {
    this.dir = path.join(home, 'layers');
  }

  async init(): Promise<void> {
    await ensureDir(this.dir);
  }

  diffPath(chainId: string): string {
    return path.join(this.dir, digestHex(chainId), 'diff');
  }

  async get(chainId: string): Promise<LayerRecord | undefined> {
    return readJsonFile<LayerRecord>(path.join(this.dir, digestHex(chainId), 'layer.json'));
  }

  /** Starts unpacking from a blob file, or from what the caller writes to `process.stdin`. */
  async begin(source: string | 'stdin', label = 'import'): Promise<PendingLayer> {
    const temp = path.join(this.dir, `.tmp-${process.pid}-${label.replace(/^sha256:/, '').slice(0, 16)}-${crypto.randomBytes(6).toString('hex')}`);
    await fsp.mkdir(temp, { mode: 0o700 });
    const diff = path.join(temp, 'diff');
    await fsp.mkdir(diff, { mode: 0o755 });
    return { temp, process: startUnpack(this.mappings, source, diff) };
  }

  /**
   * Waits for the worker, checks the diff ID, and renames the layer into
   * place. `chainId` null: derive it from the diff ID and the parent (import).
   */
  async commit(pending: PendingLayer, expect: { diffId: string | null; chainId: string | null; parent: string | null }): Promise<LayerRecord> {
    let result: UnpackResult;
    try {
      result = await pending.process.result;
      if (expect.diffId !== null && result.diffId !== expect.diffId) {
        throw new EngineError('E_DIGEST_MISMATCH', `layer content has diff ID ${result.diffId}, but the image config says ${expect.diffId}; the image is corrupt and the layer was discarded`);
      }
    } catch (err) {
      await this.discard(pending);
      throw err;
    }
    const chainId = expect.chainId ?? (expect.parent ? sha256Of(`${expect.parent} ${result.diffId}`) : result.diffId);
    if (result.skippedDevices > 0) {
      // mknod(2) needs CAP_MKNOD in the initial user namespace; containers/storage skips them rootless too.
      this.onWarning(chainId, `layer ${result.diffId.slice(7, 19)} has ${result.skippedDevices} device node(s) that cannot be created without root; they were left out (the container's /dev provides the usual ones)`);
    }
    const record: LayerRecord = { chainId, diffId: result.diffId, parent: expect.parent, size: result.size };
    try {
      await writeJsonAtomic(path.join(pending.temp, 'layer.json'), record);
      await fsp.rename(pending.temp, path.join(this.dir, digestHex(chainId)));
    } catch (err) {
      // Another process unpacked the same layer first: keep theirs.
      const theirs = await this.get(chainId);
      await this.discard(pending);
      if (theirs) return theirs;
      throw err;
    }
    return record;
  }

  /**
   * Makes a directory that is already in the layer format (a build step's
   * overlay upper dir, on this filesystem: whiteouts as 0/0 char devices,
   * user.overlay.opaque) a layer by renaming it, instead of unpacking its tar
   * again. `record` comes from that tar (its diff ID and size).
   */
  async adopt(source: string, record: LayerRecord): Promise<LayerRecord> {
    const existing = await this.get(record.chainId);
    if (existing) {
      await removeAsMappedRoot(this.mappings, [source]).catch(() => undefined);
      return existing;
    }
    const temp = path.join(this.dir, `.tmp-${process.pid}-adopt-${crypto.randomBytes(6).toString('hex')}`);
    await fsp.mkdir(temp, { mode: 0o700 });
    await fsp.rename(source, path.join(temp, 'diff'));
    try {
      await writeJsonAtomic(path.join(temp, 'layer.json'), record);
      await fsp.rename(temp, path.join(this.dir, digestHex(record.chainId)));
    } catch (err) {
      const theirs = await this.get(record.chainId);
      await removeAsMappedRoot(this.mappings, [temp]).catch(() => undefined);
      if (theirs) return theirs;
      throw err;
    }
    return record;
  }

  async discard(pending: PendingLayer): Promise<void> {
    pending.process.kill();
    await pending.process.result.catch(() => undefined);
    await removeAsMappedRoot(this.mappings, [pending.temp]).catch(() => undefined);
  }

  /** Unpacks a layer blob inside the user namespace and checks its diff ID. */
  async unpack(blobPath: string, chainId: string, expectedDiffId: string, parent: string | null): Promise<LayerRecord> {
    const existing = await this.get(chainId);
    if (existing) return existing;
    const pending = await this.begin(blobPath, chainId);
    return this.commit(pending, { diffId: expectedDiffId, chainId, parent });
  }

  /** Compares an unpacked layer with the blob it came from (system check). */
  async verify(chainId: string, blobPath: string): Promise<VerifyResult> {
    const proc = startUnpack(this.mappings, blobPath, this.diffPath(chainId), 'verify');
    return (await proc.result) as unknown as VerifyResult;
  }

  async remove(chainId: string): Promise<void> {
    const dir = path.join(this.dir, digestHex(chainId));
    // Drop layer.json first so a crash mid-removal leaves an incomplete layer, not a broken one.
    await fsp.rm(path.join(dir, 'layer.json'), { force: true });
    await removeAsMappedRoot(this.mappings, [dir]);
  }

  /** Removes directories (temp or incomplete layers) as mapped root. */
  async removePaths(paths: string[]): Promise<void> {
    await removeAsMappedRoot(this.mappings, paths);
  }

  async list(): Promise<string[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /** Leftovers of interrupted unpacks whose process is gone (a live pull's temp dirs are not garbage). */
  async leftovers(): Promise<string[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    return names
      .filter((n) => {
        if (!n.startsWith('.tmp-')) return false;
        const pid = Number(/^\.tmp-(\d+)-/.exec(n)?.[1]);
        return !(Number.isInteger(pid) && pid > 0 && pidAlive(pid));
      })
      .map((n) => path.join(this.dir, n));
  }
}
