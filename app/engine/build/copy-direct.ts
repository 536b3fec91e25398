// A COPY whose every entry belongs to the container's root (our own id on
// the host, by the user namespace's mapping) is written straight into a new
// layer directory by this process: no tar is unpacked a second time. The
// layer's tar blob is made from the same plan, so both say the same thing.
//
// A file that the previous layer of the same instruction (same parent, same
// sources and flags) already holds with the same bytes, mode, owner and
// time is hard-linked from that layer instead of copied: layer directories
// are never written once committed (overlayfs copies a lower file up before
// changing it), so sharing the inode is safe, and a rebuild after touching
// one file writes one file.
import fs from 'node:fs';
import path from 'node:path';
import type { PlanEntry } from './copy-plan.js';

/** True when this process can write the entries as they must end up (owner 0:0, no archive to extract). */
export function directWritable(entries: PlanEntry[]): boolean {
  return entries.every((e) => e.uid === 0 && e.gid === 0 && e.kind !== 'archive');
}

/** What makes a copied file the same file: its content hash, mode, owner and time. */
export function fileSignature(e: PlanEntry & { kind: 'file' }): string {
  return `${e.hash}:${e.mode}:${e.uid}:${e.gid}:${e.mtime.getTime()}`;
}

/** The files of a plan by name, as fileSignature says: what a later build may link to. */
export function planSignatures(entries: PlanEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) if (e.kind === 'file') out[e.name] = fileSignature(e);
  return out;
}

export interface LinkSource {
  /** The earlier layer's diff directory. */
  dir: string;
  files: Record<string, string>;
}

/**
 * Writes the plan under `root`; directory modes and times are set last,
 * deepest first. Synchronous on purpose: thousands of small files cost a
 * thread-pool round trip per call otherwise, and nothing else in the build
 * waits on this process meanwhile but other steps' children.
 */
export function writeEntries(entries: PlanEntry[], root: string, reuse: LinkSource | null = null): { linked: number } {
  const dirs: Array<{ dest: string; mode: number; mtime: Date }> = [];
  const made = new Set<string>([root]);
  const written = new Set<string>();
  let linked = 0;
  const parent = (dest: string): void => {
    const p = path.dirname(dest);
    if (made.has(p)) return;
    fs.mkdirSync(p, { recursive: true, mode: 0o755 });
    made.add(p);
  };
  const link = (e: PlanEntry & { kind: 'file' }, dest: string): boolean => {
    if (!reuse || reuse.files[e.name] !== fileSignature(e)) return false;
    try {
      fs.linkSync(path.join(reuse.dir, e.name), dest);
      return true;
    } catch {
      return false;
    }
  };
  for (const e of entries) {
    const dest = path.join(root, e.name);
    if (!dest.startsWith(root + path.sep)) throw new Error(`entry ${e.name} leaves the layer`);
    if (e.kind === 'dir') {
      fs.mkdirSync(dest, { recursive: true, mode: 0o700 });
      made.add(dest);
      dirs.push({ dest, mode: e.mode, mtime: e.mtime });
      continue;
    }
    parent(dest);
    if (e.kind === 'file') {
      // A later entry of the same name wins, as it would in a tar; it is
      // unlinked first, as the first may be a link into an earlier layer.
      if (written.has(dest)) fs.rmSync(dest, { force: true, recursive: true });
      written.add(dest);
      if (link(e, dest)) {
        linked++;
        continue;
      }
      if (e.data) fs.writeFileSync(dest, e.data, { mode: 0o600 });
      else if (e.abs) fs.copyFileSync(e.abs, dest);
      fs.chmodSync(dest, e.mode);
      fs.utimesSync(dest, e.mtime, e.mtime);
    } else if (e.kind === 'symlink') {
      fs.rmSync(dest, { force: true, recursive: true });
      fs.symlinkSync(e.target, dest);
      fs.lutimesSync(dest, e.mtime, e.mtime);
    }
  }
  for (const d of dirs.reverse()) {
    fs.chmodSync(d.dest, d.mode);
    fs.utimesSync(d.dest, d.mtime, d.mtime);
  }
  return { linked };
}
