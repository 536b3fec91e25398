import fsp from 'node:fs/promises';
import path from 'node:path';

export interface DirSize {
  bytes: number;
  /** False when some directory could not be read (files of subordinate ids with tight modes): `bytes` is then a lower bound. */
  complete: boolean;
}

/**
 * The apparent size of a directory tree, counting a hardlinked file once and
 * never following symlinks (docker's volume size in `system df -v` is the
 * same sum of regular file sizes).
 */
export async function directorySize(root: string): Promise<DirSize> {
  let bytes = 0;
  let complete = true;
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      complete = false;
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        stack.push(p);
      } else if (e.isFile()) {
        const st = await fsp.lstat(p).catch(() => null);
        if (!st) {
          complete = false;
          continue;
        }
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        bytes += st.size;
      }
    }
  }
  return { bytes, complete };
}
