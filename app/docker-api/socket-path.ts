// Where the Docker API socket may be created: only in a directory that is
// the user's own and closed to others, and never over a live socket (another
// engine's, or one another user placed there to catch our clients).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EngineError } from '../engine/errors.js';

function checkOwnDir(dir: string): void {
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new EngineError('E_INVALID_ARGUMENT', `${dir} must be a directory owned by you with mode 0700 (fix: chmod 0700 ${dir}, or remove it)`);
  }
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

/** Makes the socket's directory (0700), removes a dead socket of ours, refuses a live one; returns the cleanup. */
export async function claimSocketPath(socketPath: string): Promise<() => void> {
  const dir = path.dirname(socketPath);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkOwnDir(dir);
  const existing = fs.lstatSync(socketPath, { throwIfNoEntry: false });
  if (existing) {
    if (!existing.isSocket() || existing.uid !== (process.getuid?.() ?? 0)) {
      throw new EngineError('E_INVALID_ARGUMENT', `${socketPath} exists and is not a socket of yours; remove it`);
    }
    if (await answers(socketPath)) throw new EngineError('E_INVALID_ARGUMENT', `another engine already serves ${socketPath}`);
    fs.rmSync(socketPath, { force: true });
  }
  let stat: fs.Stats | undefined;
  return () => {
    // Remove only the socket we made (a later server may have replaced it).
    stat ??= fs.lstatSync(socketPath, { throwIfNoEntry: false });
    if (stat?.isSocket()) fs.rmSync(socketPath, { force: true });
  };
}
