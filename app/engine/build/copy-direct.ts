// A COPY whose every entry belongs to the container's root (our own id on
// the host, by the user namespace's mapping) is written straight into a new
// layer directory by this process: no tar is unpacked a second time. The
// layer's tar blob is made from the same plan, so both say the same thing.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { PlanEntry } from './copy-plan.js';

/** True when this process can write the entries as they must end up (owner 0:0, no archive to extract). */
export function directWritable(entries: PlanEntry[]): boolean {
  return entries.every((e) => e.uid === 0 && e.gid === 0 && e.kind !== 'archive');
}

/** Writes the plan under `root`; directory modes and times are set last, deepest first. */
export async function writeEntries(entries: PlanEntry[], root: string): Promise<void> {
  const dirs: Array<{ dest: string; mode: number; mtime: Date }> = [];
  const made = new Set<string>([root]);
  const parent = async (dest: string): Promise<void> => {
    const p = path.dirname(dest);
    if (made.has(p)) return;
    await fsp.mkdir(p, { recursive: true, mode: 0o755 });
    made.add(p);
  };
  for (const e of entries) {
    const dest = path.join(root, e.name);
    if (!dest.startsWith(root + path.sep)) throw new Error(`entry ${e.name} leaves the layer`);
    if (e.kind === 'dir') {
      await fsp.mkdir(dest, { recursive: true, mode: 0o700 });
      made.add(dest);
      dirs.push({ dest, mode: e.mode, mtime: e.mtime });
      continue;
    }
    await parent(dest);
    if (e.kind === 'file') {
      if (e.data) await fsp.writeFile(dest, e.data, { mode: 0o600 });
      else if (e.abs) await fsp.copyFile(e.abs, dest);
      await fsp.chmod(dest, e.mode);
      await fsp.utimes(dest, e.mtime, e.mtime);
    } else if (e.kind === 'symlink') {
      // A later entry of the same name wins, as it would in a tar.
      await fsp.rm(dest, { force: true, recursive: true });
      await fsp.symlink(e.target, dest);
      await fsp.lutimes(dest, e.mtime, e.mtime);
    }
  }
  for (const d of dirs.reverse()) {
    await fsp.chmod(d.dest, d.mode);
    await fsp.utimes(d.dest, d.mtime, d.mtime);
  }
}
