import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from './errors.js';
import { nativeBinary } from './install-paths.js';
import { findHostTool } from './host-tools.js';

/** The OCI runtimes Cove can drive through runc's command line (create, start, state, kill, delete, exec). */
export const RUNTIME_NAMES = ['cove', 'runc', 'crun'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

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
  const found = findHostTool(name as 'runc' | 'crun');
  if (!found) throw new EngineError('E_RUNTIME_MISSING', `runtime ${name} is not installed; install it (sudo apt-get install ${name}) or use --runtime cove`);
  return found;
}
