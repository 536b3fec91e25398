// Where the Docker API socket may be created: only in a directory that is
// the user's own and closed to others, and never over a live socket (another
// engine's, or one another user placed there to catch our clients).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EngineError } from '../engine/errors.js';
import { assertOwnSocket, ensureOwnDir } from '../engine/paths.js';

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

/** Makes the socket's directory (0700, ours), removes a dead socket of ours, refuses a live one; returns the cleanup. */
export async function claimSocketPath(socketPath: string): Promise<() => void> {
  ensureOwnDir(path.dirname(socketPath));
  if (fs.existsSync(socketPath) || fs.lstatSync(socketPath, { throwIfNoEntry: false })) {
    assertOwnSocket(socketPath);
    if (await answers(socketPath)) throw new EngineError('E_INVALID_ARGUMENT', `another Cove engine already serves ${socketPath}; use it, or stop it first`);
    fs.rmSync(socketPath, { force: true });
  }
  return () => {
    if (fs.lstatSync(socketPath, { throwIfNoEntry: false })?.isSocket()) fs.rmSync(socketPath, { force: true });
  };
}
