import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError, isNodeError } from './errors.js';

export interface CovePaths {
  /** Persistent data: blobs, layers, images.json, containers, volumes. */
  home: string;
  /** Volatile state: sockets, runtime state; per boot. */
  runtime: string;
}

/**
 * XDG locations. COVE_HOME moves everything under one directory, which is
 * what tests use to stay out of the real store. Without XDG_RUNTIME_DIR the
 * runtime directory lives inside the data directory, never under a shared
 * /tmp path that another user could create first and fill with forged state
 * or a squatted socket.
 */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env, override?: string): CovePaths {
  const homeOverride = override ?? env.COVE_HOME;
  if (homeOverride) {
    const home = path.resolve(homeOverride);
    return { home, runtime: env.COVE_RUNTIME_DIR ? path.resolve(env.COVE_RUNTIME_DIR) : path.join(home, 'run') };
  }
  const dataHome = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  const home = path.join(dataHome, 'cove');
  if (env.COVE_RUNTIME_DIR) return { home, runtime: path.resolve(env.COVE_RUNTIME_DIR) };
  return { home, runtime: env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'cove') : path.join(home, 'run') };
}

/** What the checks need from lstat(2)/stat(2); injectable so other owners can be tested without root. */
export interface DirStat {
  uid: number;
  mode: number;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isSocket(): boolean;
}

export interface TrustOptions {
  uid?: number;
  lstat?: (p: string) => DirStat;
  stat?: (p: string) => DirStat;
}

function unsafe(p: string, why: string, fix: string): EngineError {
  return new EngineError('E_UNSAFE_RUNTIME_DIR', `${p} is not safe to use: ${why}; ${fix}`);
}

const FIX_OWN = 'it must be a directory of your own that only you can write (chmod 700); remove it or set XDG_RUNTIME_DIR to such a directory';

/**
 * The XDG Base Directory rule for $XDG_RUNTIME_DIR ("MUST be owned by the
 * user, and he MUST be the only one having read and write access to it"),
 * applied to every directory Cove keeps state or sockets in: owned by us,
 * not writable by group or others. `followLink` is for the base directory
 * the environment names (a symlink there is the user's own choice); our own
 * subdirectories must be real directories.
 */
export function assertOwnDir(p: string, options: TrustOptions & { followLink?: boolean } = {}): void {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const look = options.followLink ? (options.stat ?? fs.statSync) : (options.lstat ?? fs.lstatSync);
  const st = look(p);
  if (st.isSymbolicLink()) throw unsafe(p, 'it is a symbolic link', FIX_OWN);
  if (!st.isDirectory()) throw unsafe(p, 'it is not a directory', FIX_OWN);
  if (st.uid !== uid) throw unsafe(p, `it is owned by uid ${st.uid}, not by you (uid ${uid})`, FIX_OWN);
  if ((st.mode & 0o022) !== 0) throw unsafe(p, `it is writable by ${st.mode & 0o020 ? 'its group' : 'others'} (mode ${(st.mode & 0o7777).toString(8)})`, `run chmod 700 ${p}`);
}

/**
 * Creates `p` (mode 0700) if missing and checks that it is ours. mkdir(2)
 * fails with EEXIST on anything already there, so what we check with
 * lstat(2) afterwards is either what we created or what we refuse.
 */
export function ensureOwnDir(p: string, options: TrustOptions = {}): void {
  try {
    fs.mkdirSync(p, { mode: 0o700 });
  } catch (err) {
    if (isNodeError(err, 'ENOENT')) {
      ensureOwnParent(path.dirname(p), options);
      fs.mkdirSync(p, { mode: 0o700 });
    } else if (!isNodeError(err, 'EEXIST')) {
      throw err;
    }
  }
  assertOwnDir(p, options);
}

/** Missing parents of the data directory (~/.local/share) are created 0700 like mkdir -p; existing ones are the user's business. */
function ensureOwnParent(p: string, options: TrustOptions): void {
  if (fs.existsSync(p)) return;
  fs.mkdirSync(p, { recursive: true, mode: 0o700 });
  assertOwnDir(p, options);
}

/**
 * Prepares the data and runtime directories, refusing any that another
 * user could have planted or can write: a forged state file there could
 * make `cove kill` signal an unrelated process, and a squatted socket would
 * hand our requests to someone else's engine.
 */
export function prepareDirs(paths: CovePaths, env: NodeJS.ProcessEnv = process.env, options: TrustOptions = {}): void {
  ensureOwnDir(paths.home, options);
  const base = path.dirname(paths.runtime);
  if (env.XDG_RUNTIME_DIR && !env.COVE_HOME && !env.COVE_RUNTIME_DIR && base === path.resolve(env.XDG_RUNTIME_DIR)) {
    try {
      assertOwnDir(base, { ...options, followLink: true });
    } catch (err) {
      if (isNodeError(err, 'ENOENT')) throw unsafe(base, 'XDG_RUNTIME_DIR names a directory that does not exist', 'unset XDG_RUNTIME_DIR or create it (mode 0700)');
      throw err;
    }
  }
  ensureOwnDir(paths.runtime, options);
}

/**
 * Before connecting to (or replacing) a unix socket: it must be a socket
 * and ours. connect(2) would follow a symlink and talk to whoever listens;
 * a socket owned by another user is never ours to trust.
 */
export function assertOwnSocket(p: string, options: TrustOptions = {}): void {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const st = (options.lstat ?? fs.lstatSync)(p);
  if (st.isSymbolicLink()) throw unsafe(p, 'it is a symbolic link, not a socket', `remove it (rm ${p})`);
  if (!st.isSocket()) throw unsafe(p, 'it is not a socket', `remove it (rm ${p})`);
  if (st.uid !== uid) throw unsafe(p, `the socket is owned by uid ${st.uid}, not by you (uid ${uid})`, 'another user may be impersonating the engine; check the directory and remove it');
}
