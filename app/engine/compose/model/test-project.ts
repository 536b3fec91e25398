// Test helper: a temporary project directory with the given files, loaded
// through the real loader, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ComposeLoadOptions, ComposeLoadResult } from './compose-types.js';
import { loadComposeProject, type LoadExtras } from './load-project.js';

export interface TempProject {
  dir: string;
  load(opts?: Partial<ComposeLoadOptions> & LoadExtras): Promise<ComposeLoadResult>;
  /** The E_COMPOSE_INVALID message the load fails with (fails the test if it loads). */
  error(opts?: Partial<ComposeLoadOptions> & LoadExtras): Promise<string>;
  cleanup(): void;
}

export function tempProject(files: Record<string, string>, dirName = 'proj'): TempProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-compose-model-'));
  const dir = path.join(root, dirName);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.mkdirSync(dir, { recursive: true });
  const load = (opts: Partial<ComposeLoadOptions> & LoadExtras = {}) => loadComposeProject({ cwd: dir, environment: {}, ...opts });
  return {
    dir,
    load,
    async error(opts) {
      try {
        await load(opts);
      } catch (err) {
        if ((err as { code?: string }).code !== 'E_COMPOSE_INVALID') throw err;
        return (err as Error).message;
      }
      throw new Error('the project loaded, an E_COMPOSE_INVALID error was expected');
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
