import fs from 'node:fs';
import path from 'node:path';

/**
 * Programs of the host that Cove runs, found one way only: here. The
 * monitor is handed the path found (`--slirp4netns`), `cove doctor` reports
 * it, and the default network depends on it, so all three agree.
 */
export type HostTool = 'slirp4netns' | 'newuidmap' | 'newgidmap' | 'runc' | 'crun';

// PATH first (a user's own build wins), then where distributions install
// them, for the case of a GUI started with a minimal PATH.
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The first executable `name` in PATH or the usual system directories. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(':').concat(SYSTEM_DIRS)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return null;
}

export function findHostTool(name: HostTool, env: NodeJS.ProcessEnv = process.env): string | null {
  return findExecutable(name, env);
}
