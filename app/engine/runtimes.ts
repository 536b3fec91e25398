import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from './errors.js';
import { nativeBinary } from './install-paths.js';

/** The OCI runtimes Cove can drive through runc's command line (design.md §4). */
export const RUNTIME_NAMES = ['cove', 'runc', 'crun'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** The first executable `name` in PATH or the usual system directories. */
export function findExecutable(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']);
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** Resolves a runtime name (or an absolute path) to the binary to run. */
export function runtimePath(name: string): string {
  if (name === 'cove') return nativeBinary('cove-runtime');
  if (path.isAbsolute(name)) {
    if (!fs.existsSync(name)) throw new EngineError('E_RUNTIME_MISSING', `runtime ${name} does not exist`);
    return name;
  }
  if (!(RUNTIME_NAMES as readonly string[]).includes(name)) {
    throw new EngineError('E_INVALID_ARGUMENT', `unknown runtime "${name}": use ${RUNTIME_NAMES.join(', ')} or an absolute path`);
  }
  const found = findExecutable(name);
  if (!found) throw new EngineError('E_RUNTIME_MISSING', `runtime ${name} is not installed; install it (sudo apt-get install ${name}) or use --runtime cove`);
  return found;
}
