import path from 'node:path';
import type { CoveSettings } from '../api/contract.js';
import { readJsonFile, writeJsonAtomic } from './fs-atomic.js';
import { EngineError } from './errors.js';
import { RUNTIME_NAMES } from './runtimes.js';

export type Settings = CoveSettings;

const DEFAULTS: Settings = { runtime: 'cove' };

/** settings.json in the store: user preferences shared by the GUI and the CLI. */
export class SettingsStore {
  private readonly file: string;
  constructor(home: string) {
    this.file = path.join(home, 'settings.json');
  }

  async read(): Promise<Settings> {
    const stored = (await readJsonFile<Partial<Settings>>(this.file).catch(() => undefined)) ?? {};
    return { ...DEFAULTS, ...stored };
  }

  async update(change: Partial<Settings>): Promise<Settings> {
    if (change.runtime !== undefined && !(RUNTIME_NAMES as readonly string[]).includes(change.runtime) && !path.isAbsolute(change.runtime)) {
      throw new EngineError('E_INVALID_ARGUMENT', `unknown runtime "${change.runtime}": use ${RUNTIME_NAMES.join(', ')} or an absolute path`);
    }
    const next = { ...(await this.read()), ...change };
    await writeJsonAtomic(this.file, next);
    return next;
  }
}
