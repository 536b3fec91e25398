import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { VolumeSummary } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { ensureDir, readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import type { IdMappings } from '../idmap.js';
import { removeAsMappedRoot } from '../userns.js';
import { directorySize } from './volume-size.js';

interface VolumeRecord {
  name: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Created for an image VOLUME or `-v /path`: removed with its container by `rm -v`. */
  anonymous: boolean;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export interface VolumeEvents {
  volumeChanged(action: 'create' | 'remove', name: string): void;
}

/**
 * Named volumes at volumes/<name>/_data. Data outlives the
 * containers that use it; a volume in use cannot be removed.
 */
export class VolumeService {
  readonly dir: string;
  constructor(
    home: string,
    private readonly mappings: IdMappings,
    private readonly usersOf: (name: string) => Promise<string[]>,
    private readonly events: VolumeEvents,
  ) {
    this.dir = path.join(home, 'volumes');
  }

  async init(): Promise<void> {
    await ensureDir(this.dir);
  }

  dataPath(name: string): string {
    return path.join(this.dir, name, '_data');
  }

  private async read(name: string): Promise<VolumeRecord | undefined> {
    if (!NAME_RE.test(name)) return undefined;
    return readJsonFile<VolumeRecord>(path.join(this.dir, name, 'volume.json'));
  }

  async create(name: string | null, options: { labels?: Record<string, string>; anonymous?: boolean } = {}): Promise<VolumeRecord> {
    const volumeName = name ?? crypto.randomBytes(32).toString('hex');
    if (!NAME_RE.test(volumeName)) {
      throw new EngineError('E_INVALID_ARGUMENT', `invalid volume name "${volumeName}": use letters, digits, _ . - and start with a letter or digit`);
    }
    const existing = await this.read(volumeName);
    if (existing) return existing;
    const root = path.join(this.dir, volumeName);
    await fsp.mkdir(path.join(root, '_data'), { recursive: true, mode: 0o755 });
    const rec: VolumeRecord = { name: volumeName, createdAt: new Date().toISOString(), labels: options.labels ?? {}, anonymous: options.anonymous ?? false };
    // volume.json last: a directory without it is a create that crashed.
    await writeJsonAtomic(path.join(root, 'volume.json'), rec);
    this.events.volumeChanged('create', volumeName);
    return rec;
  }

  async exists(name: string): Promise<boolean> {
    return (await this.read(name)) !== undefined;
  }

  async get(name: string): Promise<VolumeRecord> {
    const rec = await this.read(name);
    if (!rec) throw new EngineError('E_VOLUME_NOT_FOUND', `no volume ${name} (cove volume ls lists them)`);
    return rec;
  }

  async list(): Promise<VolumeSummary[]> {
    const out: VolumeSummary[] = [];
    for (const name of await fsp.readdir(this.dir).catch(() => [] as string[])) {
      const rec = await this.read(name).catch(() => undefined);
      if (!rec) continue;
      out.push({ ...rec, mountpoint: this.dataPath(name), usedBy: await this.usersOf(name) });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One volume, with the size of its data (a walk of the tree, so `list` leaves it out). */
  async inspect(name: string): Promise<VolumeSummary> {
    const rec = await this.get(name);
    const size = await directorySize(this.dataPath(name));
    return { ...rec, mountpoint: this.dataPath(name), usedBy: await this.usersOf(name), size: size.bytes, sizeComplete: size.complete };
  }

  async remove(name: string, force = false): Promise<void> {
    await this.get(name);
    const users = await this.usersOf(name);
    if (users.length > 0 && !force) {
      throw new EngineError('E_VOLUME_IN_USE', `volume ${name} is in use by container(s) ${users.join(', ')}; remove them first`);
    }
    const root = path.join(this.dir, name);
    await fsp.rm(path.join(root, 'volume.json'), { force: true });
    // Files inside may belong to subordinate ids: remove as mapped root.
    await removeAsMappedRoot(this.mappings, [root]);
    this.events.volumeChanged('remove', name);
  }

  /** Removes every volume no container uses; returns the names. */
  async prune(): Promise<string[]> {
    const removed: string[] = [];
    for (const v of await this.list()) {
      if (v.usedBy.length === 0) {
        await this.remove(v.name);
        removed.push(v.name);
      }
    }
    return removed;
  }
}
