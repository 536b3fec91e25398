import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InstallPaths {
  root: string;
  /** native/build in a checkout, resources/native in the packaged app: NATIVE_TOOLS. */
  nativeDir: string;
  /** dist: the bundled CLI and the unpack worker. */
  distDir: string;
  /** out/renderer: the built UI that web mode serves. */
  rendererDir: string;
}

let cached: InstallPaths | undefined;

const ASAR = 'app.asar';
const ASAR_UNPACKED = 'app.asar.unpacked';

/**
 * The packaged app's layout (electron-builder.yml): the app's files are in
 * resources/app.asar, dist/ is also unpacked beside it (it runs as separate
 * processes: the CLI, exit commands, the unpack worker) and the native tools
 * are extra resources in resources/native. Null outside a packaged app.
 */
export function packagedLayout(moduleDir: string, nativeDirOverride?: string): InstallPaths | null {
  const parts = moduleDir.split(path.sep);
  const at = parts.findIndex((p) => p === ASAR || p === ASAR_UNPACKED);
  if (at <= 0) return null;
  const resources = parts.slice(0, at).join(path.sep) || path.sep;
  const root = path.join(resources, ASAR);
  return {
    root,
    nativeDir: nativeDirOverride ?? path.join(resources, 'native'),
    distDir: path.join(resources, ASAR_UNPACKED, 'dist'),
    rendererDir: path.join(root, 'out', 'renderer'),
  };
}

/**
 * Where Cove's own files are: found by walking up from this module to the
 * package.json named "cove", so it works from the TypeScript sources (tests),
 * the bundled CLI in dist/ and Electron's out/main alike.
 */
export function installPaths(): InstallPaths {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  const packaged = packagedLayout(dir, process.env.COVE_NATIVE_DIR);
  if (packaged) return (cached = packaged);
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

/** Every helper binary Cove executes: the one list (electron-builder.yml ships these; a test checks). */
export const NATIVE_TOOLS = ['cove-runtime', 'cove-monitor', 'cove-unshare', 'cove-layer-tool', 'cove-init', 'cove-attach', 'cove-net-holder'] as const;

export type NativeTool = (typeof NATIVE_TOOLS)[number];

/** The flock(2) Node-API addon (app/engine/store/lock.ts): shipped with the tools, loaded, not executed. */
export const NATIVE_ADDON = 'cove-flock.node';

/** What the packaged app carries in resources/native. */
export const NATIVE_SHIPPED: readonly string[] = [...NATIVE_TOOLS, NATIVE_ADDON];

export function nativeBinary(name: NativeTool): string {
  return path.join(installPaths().nativeDir, name);
}
