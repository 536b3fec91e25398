import os from 'node:os';
import path from 'node:path';

export interface CovePaths {
  /** Persistent data: blobs, layers, images.json, containers, volumes. */
  home: string;
  /** Volatile state: sockets, runtime state; per boot. */
  runtime: string;
}

/**
 * XDG locations (design.md §2). COVE_HOME moves everything under one
 * directory, which is what tests use to stay out of the real store.
 */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env, override?: string): CovePaths {
  const uid = process.getuid?.() ?? 0;
  const homeOverride = override ?? env.COVE_HOME;
  if (homeOverride) {
    const home = path.resolve(homeOverride);
    return { home, runtime: env.COVE_RUNTIME_DIR ? path.resolve(env.COVE_RUNTIME_DIR) : path.join(home, 'run') };
  }
  const dataHome = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  const runtimeBase = env.XDG_RUNTIME_DIR || path.join(os.tmpdir(), `cove-run-${uid}`);
  return { home: path.join(dataHome, 'cove'), runtime: path.join(runtimeBase, 'cove') };
}
