// What a path inside a running container is (docker cp's HEAD on
// /containers/{id}/archive asks before it copies): found by the container's
// own stat, so the path resolves inside the container, never on the host.
import path from 'node:path';
import { EngineError } from '../errors.js';
import type { ExecPiped } from './container-files.js';

export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits, as docker's clients decode them. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

// Go's os.FileMode type bits (docker encodes its stat with them).
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_STICKY = 2 ** 20;

export function goFileMode(rawMode: number): number {
  let mode = rawMode & 0o777;
  if (rawMode & 0o4000) mode += GO_SETUID;
  if (rawMode & 0o2000) mode += GO_SETGID;
  if (rawMode & 0o1000) mode += GO_STICKY;
  const type = rawMode & 0o170000;
  if (type === 0o040000) mode += GO_DIR;
  else if (type === 0o120000) mode += GO_SYMLINK;
  return mode;
}

export async function statInContainer(exec: ExecPiped, containerPath: string): Promise<PathStat> {
  if (!path.posix.isAbsolute(containerPath)) throw new EngineError('E_INVALID_ARGUMENT', `the container path ${containerPath} must be absolute`);
  // Size, raw mode in hex, mtime, and the link target after a NUL (names may hold any byte but NUL).
  const child = await exec(['sh', '-c', 'stat -c "%s %f %Y" -- "$1" && { readlink -- "$1" || true; }', 'stat', containerPath]);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const [first = '', link = ''] = out.split('\n');
  const m = /^(\d+) ([0-9a-f]+) (\d+)$/.exec(first.trim());
  if (code !== 0 || !m) {
    if (/no such file|can't stat|cannot stat/i.test(err)) throw new EngineError('E_PATH_NOT_FOUND', `Could not find the file ${containerPath} in container`);
    throw new EngineError('E_INVALID_ARGUMENT', `cannot stat ${containerPath} in the container (the image needs sh and stat): ${err.trim()}`);
  }
  const raw = parseInt(m[2] as string, 16);
  return { name: path.posix.basename(containerPath) || '/', size: Number(m[1]), mode: goFileMode(raw), mtime: new Date(Number(m[3]) * 1000).toISOString(), linkTarget: link };
}
