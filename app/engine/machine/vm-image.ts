// Where the VM image is: $COVE_VM_IMAGE (a directory), the app's resources
// (packaged builds carry it as extraResources/vm), else the newest image that
// scripts/vm/build-image.mjs cached ($COVE_VM_CACHE, /var/cache/cove-vm,
// ~/.cache/cove/vm; each has a "current" file naming it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../errors.js';

export interface VmImage {
  dir: string;
  kernel: string;
  initrd: string;
  rootfs: string;
  key: string;
  sizeBytes: number;
}

function complete(dir: string): VmImage | undefined {
  const files = { kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img'), rootfs: path.join(dir, 'rootfs.squashfs') };
  try {
    const sizes = Object.values(files).map((f) => fs.statSync(f).size);
    let key = path.basename(dir);
    try {
      key = (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { key?: string }).key ?? key;
    } catch {
      // an image without a manifest (hand-made): named by its directory
    }
    return { dir, ...files, key, sizeBytes: sizes.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

export function imageCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (env.COVE_VM_IMAGE) return [path.resolve(env.COVE_VM_IMAGE)];
  const resources = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resources) out.push(path.join(resources, 'vm'));
  const caches = [env.COVE_VM_CACHE, '/var/cache/cove-vm', path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cove', 'vm')];
  for (const c of caches) {
    if (!c) continue;
    try {
      out.push(path.join(c, fs.readFileSync(path.join(c, 'current'), 'utf8').trim()));
    } catch {
      // no image cached there
    }
  }
  return out;
}

export function findVmImage(env: NodeJS.ProcessEnv = process.env): VmImage {
  const tried = imageCandidates(env);
  for (const dir of tried) {
    const img = complete(dir);
    if (img) return img;
  }
  throw new EngineError(
    'E_MACHINE_IMAGE_MISSING',
    `no Cove VM image${tried.length ? ` (looked in ${tried.join(', ')})` : ''}: build it with 'sudo node scripts/vm/build-image.mjs', or set COVE_VM_IMAGE to an image directory`,
  );
}
