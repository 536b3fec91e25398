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
 * subordinate ids (design.md §3: storage ownership).
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

/** rm -rf inside the namespace: the only way to delete files owned by subordinate ids. */
export async function removeAsMappedRoot(mappings: IdMappings, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  await runInUserns(mappings, ['rm', '-rf', '--one-file-system', '--', ...paths]);
}
