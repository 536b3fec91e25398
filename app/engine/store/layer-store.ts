import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { EngineError } from '../errors.js';
import { digestHex } from '../digest.js';
import { ensureDir, readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import { mappedCount, type IdMappings } from '../idmap.js';
import { installPaths, nativeBinary } from '../install-paths.js';
import { removeAsMappedRoot, runInUserns } from '../userns.js';
import type { UnpackResult } from '../unpack/unpack-layer.js';

export interface LayerRecord {
  chainId: string;
  diffId: string;
  parent: string | null;
  size: number;
}

/**
 * Unpacked layers at layers/<chainID>/diff, shared between images. A layer
 * counts only once layer.json exists; it is unpacked under a temp name and
 * renamed into place, so a crash mid-unpack leaves only a `.tmp-` directory
 * that `gc` removes.
 */
export class LayerStore {
  readonly dir: string;
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

  /** Unpacks a layer blob inside the user namespace and checks its diff ID. */
  async unpack(blobPath: string, chainId: string, expectedDiffId: string, parent: string | null): Promise<LayerRecord> {
    const existing = await this.get(chainId);
    if (existing) return existing;
    const temp = path.join(this.dir, `.tmp-${digestHex(chainId).slice(0, 16)}-${crypto.randomBytes(6).toString('hex')}`);
    await fsp.mkdir(temp, { mode: 0o700 });
    const diff = path.join(temp, 'diff');
    await fsp.mkdir(diff, { mode: 0o755 });
    const worker = path.join(installPaths().distDir, 'unpack-worker.cjs');
    const args = [process.execPath, worker, blobPath, diff, nativeBinary('cove-layer-tool'), String(mappedCount(this.mappings.uid))];
    if (this.mappings.singleId) args.push('--no-chown');
    let result: UnpackResult;
    try {
      const out = await runInUserns(this.mappings, args).catch((err: unknown) => {
        const stdout = (err as { stdout?: string }).stdout;
        if (stdout) return { stdout, stderr: '' };
        throw err;
      });
      const parsed = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as UnpackResult | { error: { code: string; message: string } };
      if ('error' in parsed) throw new EngineError(parsed.error.code as EngineError['code'], parsed.error.message);
      result = parsed;
      if (result.diffId !== expectedDiffId) {
        throw new EngineError('E_DIGEST_MISMATCH', `layer content has diff ID ${result.diffId}, but the image config says ${expectedDiffId}; the image is corrupt`);
      }
      const record: LayerRecord = { chainId, diffId: result.diffId, parent, size: result.size };
      await writeJsonAtomic(path.join(temp, 'layer.json'), record);
      const final = path.join(this.dir, digestHex(chainId));
      try {
        await fsp.rename(temp, final);
      } catch (err) {
        // Another process unpacked the same layer first: keep theirs.
        if (await this.get(chainId)) {
          await removeAsMappedRoot(this.mappings, [temp]);
          return record;
        }
        throw err;
      }
      return record;
    } catch (err) {
      await removeAsMappedRoot(this.mappings, [temp]).catch(() => undefined);
      throw err;
    }
  }

  async remove(chainId: string): Promise<void> {
    const dir = path.join(this.dir, digestHex(chainId));
    // Drop layer.json first so a crash mid-removal leaves an incomplete layer, not a broken one.
    await fsp.rm(path.join(dir, 'layer.json'), { force: true });
    await removeAsMappedRoot(this.mappings, [dir]);
  }

  async list(): Promise<string[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /** Leftovers of interrupted unpacks. */
  async leftovers(): Promise<string[]> {
    const names = await fsp.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith('.tmp-')).map((n) => path.join(this.dir, n));
  }
}
