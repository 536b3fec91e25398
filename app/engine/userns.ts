import { spawn } from 'node:child_process';
import { EngineError } from './errors.js';
import { mappingArg, type IdMappings } from './idmap.js';
import { nativeBinary } from './install-paths.js';
import { errorFromStatus } from './native-status.js';

export interface UsernsResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command as root of a user namespace with the containers' mapping
 * (cove-unshare), so that files it creates or removes belong to the right
 * subordinate ids (design.md §3: storage ownership).
 */
export function runInUserns(mappings: IdMappings, command: string[], options: { mountNs?: boolean } = {}): Promise<UsernsResult> {
  const helper = nativeBinary('cove-unshare');
  const args = ['--status-fd', '3', '--uid-map', mappingArg(mappings.uid), '--gid-map', mappingArg(mappings.gid)];
  if (options.mountNs) args.push('--mount-ns');
  args.push('--', ...command);
  return new Promise((resolve, reject) => {
    const child = spawn(helper, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let status = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (status += d.toString()));
    child.on('error', (err) => {
      reject(new EngineError('E_RUNTIME_MISSING', `cannot run ${helper} (${err.message}); build Cove with: npm run build`));
    });
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else if (status.trim() !== '') reject(errorFromStatus(status, stderr, `${command[0]} in the user namespace failed`));
      else {
        const err = new EngineError('E_RUNTIME_FAILED', `${command.join(' ')} failed in the user namespace (exit ${code}): ${stderr.trim().slice(-500)}`);
        Object.assign(err, { stdout });
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
