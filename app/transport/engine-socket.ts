import fs from 'node:fs';
import path from 'node:path';
import type { CovePaths } from '../engine/paths.js';
import { assertOwnSocket } from '../engine/paths.js';
import type { ApiClient } from './api-client.js';
import { connectSocket } from './socket-client.js';

/** Where a running engine (the desktop app, `cove serve`, `cove system service`) serves the API. */
export function engineSocketPath(paths: CovePaths): string {
  return path.join(paths.runtime, 'engine.sock');
}

/**
 * A client of the engine that already runs for these paths, or null when
 * none answers. A socket that is not ours (or not a socket) is refused with
 * E_UNSAFE_RUNTIME_DIR rather than talked to.
 */
export async function connectRunningEngine(paths: CovePaths): Promise<ApiClient | null> {
  const socketPath = engineSocketPath(paths);
  if (!fs.lstatSync(socketPath, { throwIfNoEntry: false })) return null;
  assertOwnSocket(socketPath);
  return connectSocket(socketPath);
}
