import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { EngineError, isErrorCode } from '../errors.js';
import { mappedCount, mappingArg, type IdMappings } from '../idmap.js';
import { installPaths, nativeBinary } from '../install-paths.js';
import { errorFromStatus } from '../native-status.js';
import type { UnpackResult } from '../unpack/unpack-layer.js';

export interface UnpackProcess {
  /** Layer bytes go here when the source is 'stdin'. */
  stdin: Writable | null;
  /** Settles when the worker exited: its result, or its error. */
  result: Promise<UnpackResult>;
  kill(): void;
}

/**
 * The unpack worker (dist/unpack-worker.cjs) as root of a user namespace
 * with the containers' mapping (cove-unshare), so that lchown lands files on
 * the right subordinate ids (design.md §3). It reads the layer from a file,
 * or from stdin when a pull streams it straight from the network.
 */
export function startUnpack(mappings: IdMappings, source: string | 'stdin', dest: string, mode: 'unpack' | 'verify' = 'unpack'): UnpackProcess {
  const helper = nativeBinary('cove-unshare');
  const worker = path.join(installPaths().distDir, 'unpack-worker.cjs');
  const args = ['--status-fd', '3', '--uid-map', mappingArg(mappings.uid), '--gid-map', mappingArg(mappings.gid), '--'];
  args.push(process.execPath, worker, source === 'stdin' ? '-' : source, dest, nativeBinary('cove-layer-tool'), String(mappedCount(mappings.uid)));
  if (mappings.singleId) args.push('--no-chown');
  if (mode === 'verify') args.push('--verify');
  const child = spawn(helper, args, { stdio: [source === 'stdin' ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let status = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (status += d.toString()));
  // The worker may stop reading early (a hostile entry); its verdict matters, not our EPIPE.
  child.stdin?.on('error', () => undefined);
  const result = new Promise<UnpackResult>((resolve, reject) => {
    child.on('error', (err) => reject(new EngineError('E_RUNTIME_MISSING', `cannot run ${helper} (${err.message}); build Cove with: npm run build`)));
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let parsed: (UnpackResult & { error?: undefined }) | { error: { code: string; message: string } } | undefined;
      try {
        parsed = last ? (JSON.parse(last) as typeof parsed) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed && 'error' in parsed && parsed.error) {
        const e = parsed.error;
        reject(new EngineError(isErrorCode(e.code) ? e.code : 'E_INTERNAL', e.message));
      } else if (code === 0 && parsed) {
        resolve(parsed as UnpackResult);
      } else if (status.trim() !== '') {
        reject(errorFromStatus(status, stderr, 'unpacking in the user namespace failed'));
      } else {
        reject(new EngineError('E_RUNTIME_FAILED', `the unpack worker failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-500)}`));
      }
    });
  });
  return { stdin: child.stdin, result, kill: () => child.kill('SIGKILL') };
}
