import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InstallPaths {
  root: string;
  /** native/build: cove-runtime, cove-monitor, cove-unshare, cove-layer-tool. */
  nativeDir: string;
  /** dist: the bundled CLI and the unpack worker. */
  distDir: string;
  /** out/renderer: the built UI that web mode serves. */
  rendererDir: string;
}

let cached: InstallPaths | undefined;

/**
 * Where Cove's own files are: found by walking up from this module to the
 * package.json named "cove", so it works from the TypeScript sources (tests),
 * the bundled CLI in dist/ and Electron's out/main alike.
 */
export function installPaths(): InstallPaths {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cove') break;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the Cove installation (package.json named "cove")');
    dir = parent;
  }
  cached = {
    root: dir,
    nativeDir: process.env.COVE_NATIVE_DIR ?? path.join(dir, 'native', 'build'),
    distDir: path.join(dir, 'dist'),
    rendererDir: path.join(dir, 'out', 'renderer'),
  };
  return cached;
}

export type NativeTool = 'cove-runtime' | 'cove-monitor' | 'cove-unshare' | 'cove-layer-tool' | 'cove-init' | 'cove-attach' | 'cove-net-holder';

export function nativeBinary(name: NativeTool): string {
  return path.join(installPaths().nativeDir, name);
}
