import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pidAlive } from './pid-alive.js';

/**
 * A pull in progress commits blobs and layers before its image record
 * exists; it holds a lease (tmp/lease-<pid>-<random>.json) naming them, so
 * `system check --repair` and prune never take them from under it. A lease
 * of a dead process is ignored and removed as debris.
 */
export async function takeLease(tmpDir: string, content: { blobs: string[]; layers: string[] }): Promise<() => Promise<void>> {
  const file = path.join(tmpDir, `lease-${process.pid}-${crypto.randomBytes(6).toString('hex')}.json`);
  await fsp.writeFile(file, JSON.stringify(content), { mode: 0o600 });
  return () => fsp.rm(file, { force: true });
}

export async function readLeases(tmpDir: string): Promise<{ blobs: Set<string>; layers: Set<string> }> {
  const blobs = new Set<string>();
  const layers = new Set<string>();
  for (const name of await fsp.readdir(tmpDir).catch(() => [] as string[])) {
    const pid = Number(/^lease-(\d+)-/.exec(name)?.[1]);
    if (!(pid > 0) || !pidAlive(pid)) continue;
    try {
      const data = JSON.parse(await fsp.readFile(path.join(tmpDir, name), 'utf8')) as { blobs?: string[]; layers?: string[] };
      for (const b of data.blobs ?? []) blobs.add(b);
      for (const l of data.layers ?? []) layers.add(l);
    } catch {
      // A lease being written right now: its pull is alive and will finish or die.
    }
  }
  return { blobs, layers };
}
