import fsp from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, tempPathFor, writeFileAtomic } from '../fs-atomic.js';
import { withLock } from '../store/lock.js';
import { EngineError } from '../errors.js';
import type { PortSpec } from '../container/run-options.js';

/** One user-defined network (docker's bridge driver, rootless). */
export interface NetworkRecord {
  id: string;
  name: string;
  driver: 'bridge';
  subnet: string;
  gateway: string;
  internal: boolean;
  labels: Record<string, string>;
  createdAt: string;
  /** The bridge in the holder's namespace: "br-" + 12 hex, within IFNAMSIZ. */
  bridge: string;
}

/** A container on a network: what the holder configures and its DNS answers. */
export interface EndpointRecord {
  container: string;
  /** The container's name (DNS answers it). */
  name: string;
  /** Network ID. */
  network: string;
  ip: string;
  aliases: string[];
  /** Interface name inside the container (eth0, eth1, ...). */
  ifname: string;
  /** The default route goes through this network's gateway; published ports land here. */
  primary: boolean;
  ports: PortSpec[];
}

export interface NetworkState {
  networks: NetworkRecord[];
  endpoints: EndpointRecord[];
}

/**
 * networks.json under the data directory: read by the engine and by
 * cove-net-holder, changed only under networks.lock (flock) and written
 * temp + fsync + rename, so a kill -9 at any point leaves either the old
 * or the new state.
 */
export class NetworkStateFile {
  readonly file: string;
  private readonly lock: string;

  constructor(home: string) {
    this.file = path.join(home, 'networks.json');
    this.lock = path.join(home, 'networks.lock');
  }

  async read(): Promise<NetworkState> {
    const s = await readJsonFile<Partial<NetworkState>>(this.file).catch((err: unknown) => {
      if (!(err instanceof SyntaxError)) throw err;
      throw new EngineError('E_STORE_CORRUPT', `${this.file} is damaged (${err.message}); cove system check --repair rebuilds it from the containers`);
    });
    return { networks: s?.networks ?? [], endpoints: s?.endpoints ?? [] };
  }

  /** The file's text (undefined when there is none) under the lock, for `cove system check`; `write` replaces the state. */
  async withRaw<T>(fn: (text: string | undefined, write: (s: NetworkState) => Promise<void>) => Promise<T>): Promise<T> {
    return withLock(this.lock, async () => {
      const text = await fsp.readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      return fn(text, (st) => writeFileAtomic(this.file, JSON.stringify(st, null, 2) + '\n'));
    });
  }

  /**
   * Read-modify-write under the lock; `fn` returns false to leave the file
   * as it is. `durable: false` skips the fsyncs (temp + rename only: a kill
   * -9 still sees the old or the new state) for a change whose loss in a
   * power cut the next command repairs anyway (a removed container's
   * endpoints: see NetworkService.repair).
   */
  async update<T>(fn: (s: NetworkState) => Promise<{ changed: boolean; value: T }> | { changed: boolean; value: T }, o: { durable: boolean } = { durable: true }): Promise<T> {
    return withLock(this.lock, async () => {
      const s = await this.read();
      const { changed, value } = await fn(s);
      const text = JSON.stringify(s, null, 2) + '\n';
      if (changed && o.durable) await writeFileAtomic(this.file, text);
      else if (changed) {
        const temp = tempPathFor(this.file);
        try {
          await fsp.writeFile(temp, text, { mode: 0o600, flag: 'wx' });
          await fsp.rename(temp, this.file);
        } catch (err) {
          await fsp.rm(temp, { force: true });
          throw err;
        }
      }
      return value;
    });
  }
}
