import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from './errors.js';
import { mappingArg, type IdMappings } from './idmap.js';
import { nativeBinary } from './install-paths.js';
import { errorFromStatus } from './native-status.js';

export interface UsernsResult {
  stdout: string;
  stderr: string;
}

/** cove-unshare's arguments for the containers' mapping, then `--` and the command. */
export function usernsArgs(mappings: IdMappings, command: string[], options: { mountNs?: boolean; statusFd?: boolean } = {}): string[] {
  const args = options.statusFd === false ? [] : ['--status-fd', '3'];
  args.push('--uid-map', mappingArg(mappings.uid), '--gid-map', mappingArg(mappings.gid));
  if (options.mountNs) args.push('--mount-ns');
  return [...args, '--', ...command];
}

export interface UsernsChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** What cove-unshare wrote on its status fd: one JSON line on failure. */
  status(): string;
}

/** Starts a command as root of a user namespace with the containers' mapping, collecting its output. */
export function spawnInUserns(mappings: IdMappings, command: string[], options: { mountNs?: boolean; stdin?: 'pipe' | 'ignore' } = {}): UsernsChild {
  const child = spawn(nativeBinary('cove-unshare'), usernsArgs(mappings, command, options), { stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let status = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (status += d.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr, status: () => status };
}

export function missingHelper(err: Error): EngineError {
  return new EngineError('E_RUNTIME_MISSING', `cannot run ${nativeBinary('cove-unshare')} (${err.message}); build Cove with: npm run build`);
}

/**
 * Runs a command as root of a user namespace with the containers' mapping
 * (cove-unshare), so that files it creates or removes belong to the right
 * subordinate ids (so file owners land on the mapped ids).
 */
export function runInUserns(mappings: IdMappings, command: string[], options: { mountNs?: boolean } = {}): Promise<UsernsResult> {
  const u = spawnInUserns(mappings, command, options);
  return new Promise((resolve, reject) => {
    u.child.on('error', (err) => reject(missingHelper(err)));
    u.child.on('close', (code) => {
      if (code === 0) resolve({ stdout: u.stdout(), stderr: u.stderr() });
      else if (u.status().trim() !== '') reject(errorFromStatus(u.status(), u.stderr(), `${command[0]} in the user namespace failed`));
      else {
        const err = new EngineError('E_RUNTIME_FAILED', `${command.join(' ')} failed in the user namespace (exit ${code}): ${u.stderr().trim().slice(-500)}`);
        Object.assign(err, { stdout: u.stdout() });
        reject(err);
      }
    });
  });
}

/**
 * True when everything under `dir` belongs to us, so a plain rm can remove
 * it. Stops at the first foreign owner or after `limit` entries: a big tree
 * goes to the user namespace anyway.
 */
function ownedByUs(dir: string, limit = 2000): boolean {
  const me = process.getuid?.() ?? -1;
  const stack = [dir];
  let seen = 0;
  while (stack.length > 0) {
    const d = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      // overlayfs leaves its work/work directory at mode 000; ours to open up.
      try {
        fs.chmodSync(d, 0o700);
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return false;
      }
    }
    for (const e of entries) {
      if (++seen > limit) return false;
      const p = path.join(d, e.name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        return false;
      }
      if (st.uid !== me) return false;
      if (e.isDirectory()) stack.push(p);
    }
  }
  return true;
}

/**
 * Removes a tree that may hold files of subordinate ids. When all of it is
 * ours (a container that wrote nothing as another user) a plain rm does;
 * otherwise rm -rf runs as mapped root, the only way to delete the rest.
 */
export async function removeTree(mappings: IdMappings, dir: string): Promise<void> {
  if (ownedByUs(dir)) {
    try {
      // Synchronous: the walk above already visited every entry (at most its limit) synchronously, and
      // rm's own walk is then one pass of syscalls instead of a thread-pool round trip for each of them.
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    } catch {
      // a mode without write permission somewhere: the namespace can do it
    }
  }
  await removeAsMappedRoot(mappings, [dir]);
}

/** rm -rf inside the namespace: the only way to delete files owned by subordinate ids. */
export async function removeAsMappedRoot(mappings: IdMappings, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  await runInUserns(mappings, ['rm', '-rf', '--one-file-system', '--', ...paths]);
}
