import path from 'node:path';
import type { Writable } from 'node:stream';
import { EngineError, isErrorCode } from '../errors.js';
import { mappedCount, type IdMappings } from '../idmap.js';
import { missingHelper, spawnInUserns } from '../userns.js';
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
 * the right subordinate ids. It reads the layer from a file,
 * or from stdin when a pull streams it straight from the network.
 */
export function startUnpack(mappings: IdMappings, source: string | 'stdin', dest: string, mode: 'unpack' | 'verify' = 'unpack'): UnpackProcess {
  const worker = path.join(installPaths().distDir, 'unpack-worker.cjs');
  const command = [process.execPath, worker, source === 'stdin' ? '-' : source, dest, nativeBinary('cove-layer-tool'), String(mappedCount(mappings.uid))];
  if (mappings.singleId) command.push('--no-chown');
  if (mode === 'verify') command.push('--verify');
  // Always a pipe: with a file source the worker takes its EOF as our death (unpack-worker.ts).
  const u = spawnInUserns(mappings, command, { stdin: 'pipe' });
  const child = u.child;
  // The worker may stop reading early (a hostile entry); its verdict matters, not our EPIPE.
  child.stdin?.on('error', () => undefined);
  const result = new Promise<UnpackResult>((resolve, reject) => {
    child.on('error', (err) => reject(missingHelper(err)));
    child.on('close', (code, signal) => {
      const last = u.stdout().trim().split('\n').pop() ?? '';
      let parsed: (UnpackResult & { error?: undefined }) | { error: { code: string; message: string } } | undefined;
      try {
        parsed = last ? (JSON.parse(last) as typeof parsed) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed && 'error' in parsed && parsed.error) {
        const e = parsed.error;
        // An unexpected failure in the worker left its details on stderr (toApiError sends none).
        const detail = e.code === 'E_INTERNAL' && u.stderr().trim() ? `unpacking a layer failed: ${u.stderr().trim().slice(-500)}` : e.message;
        reject(new EngineError(isErrorCode(e.code) ? e.code : 'E_INTERNAL', detail));
      } else if (code === 0 && parsed) {
        resolve(parsed as UnpackResult);
      } else if (u.status().trim() !== '') {
        reject(errorFromStatus(u.status(), u.stderr(), 'unpacking in the user namespace failed'));
      } else {
        reject(new EngineError('E_RUNTIME_FAILED', `the unpack worker failed (${signal ?? `exit ${code}`}): ${u.stderr().trim().slice(-500)}`));
      }
    });
  });
  return { stdin: source === 'stdin' ? child.stdin : null, result, kill: () => child.kill('SIGKILL') };
}
