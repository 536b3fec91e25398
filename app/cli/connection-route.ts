// Whether a command line concerns connections or machines at all, checked
// without loading the machine code (the CLI's start path stays small).
import fs from 'node:fs';
import path from 'node:path';
import { resolvePaths } from '../engine/paths.js';

export function needsRouting(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const first = argv[0] ?? '';
  if (first === 'machine' || first === '-c' || first.startsWith('--connection')) return true;
  if (first === 'system' && argv[1] === 'connection') return true;
  if (env.COVE_IN_VM === '1') return false;
  if (env.COVE_CONNECTION) return true;
  return fs.existsSync(path.join(resolvePaths(env).home, 'connections.json'));
}
