import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';

/**
 * /proc entries a mount may cover: runc's allow-list (libcontainer
 * checkProcMount), which lxcfs-style setups use. Anything else under /proc
 * is refused: /proc/self/root (and /proc/<pid>/root, /proc/thread-self/root)
 * is the container's own `/`, so a mount there would cover the whole root
 * filesystem from inside the runtime.
 */
const PROC_ALLOWED = new Set([
  '/proc/cpuinfo',
  '/proc/diskstats',
  '/proc/meminfo',
  '/proc/stat',
  '/proc/swaps',
  '/proc/uptime',
  '/proc/loadavg',
  '/proc/slabinfo',
  '/proc/net/dev',
  '/proc/sys/kernel/ns_last_pid',
]);

export function procTargetRefused(normalized: string): boolean {
  return (normalized === '/proc' || normalized.startsWith('/proc/')) && !PROC_ALLOWED.has(normalized);
}

const MAX_LINKS = 40;

/**
 * Where `target` leads inside the image: each component is looked up in the
 * layers (top first, a whiteout ends the lookup) and symlinks are followed
 * as the container would, absolute ones from the container's root. From
 * the first component the image does not have (or we cannot read), the
 * rest is taken literally: the runtime creates it as directories, or it
 * lies in a filesystem mounted at run time such as /proc. Null for a
 * symlink loop.
 */
export function resolveInImage(lowerDirs: string[], target: string): string | null {
  let pending = target.split('/').filter(Boolean);
  let resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const rel = [...resolved, part].join('/');
    let st: fs.Stats | undefined;
    let layer: string | undefined;
    for (const lower of lowerDirs) {
      try {
        st = fs.lstatSync(path.join(lower, rel));
        layer = lower;
        break;
      } catch {
        // not in this layer (or not readable): try the next one down
      }
    }
    // A 0/0 character device is an overlayfs whiteout: the path is deleted above.
    if (!st || !layer || (st.isCharacterDevice() && st.rdev === 0)) return path.posix.normalize('/' + [...resolved, part, ...pending].join('/'));
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return null;
      const link = fs.readlinkSync(path.join(layer, rel));
      pending = [...link.split('/').filter(Boolean), ...pending];
      if (link.startsWith('/')) resolved = [];
      continue;
    }
    resolved.push(part);
  }
  return '/' + resolved.join('/');
}

/** Refuses mount targets that end at the container's `/`, through /proc or through the image's own symlinks. */
export function checkMountTargets(targets: string[], lowerDirs: string[]): void {
  for (const t of targets) {
    const where = resolveInImage(lowerDirs, t);
    if (where === '/' || (where !== null && procTargetRefused(where))) {
      throw new EngineError('E_INVALID_ARGUMENT', `cannot mount on ${t}: in this image it leads to ${where}${where === '/' ? ", the container's root" : ''}`);
    }
  }
}
