// Entry point run inside the container's user namespace (through
// cove-unshare) so that lchown lands files on the mapped subordinate ids.
// argv: <layer blob | -> <destination dir> <cove-layer-tool> <id limit> [--no-chown] [--verify]
// "-" reads the layer from stdin (a pull streams it from the network).
// --verify compares an unpacked layer with its blob instead (system check).
// Prints one JSON line: the result, or {"error":{code,message}}.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { unpackLayer } from './unpack-layer.js';
import { verifyLayer } from './verify-layer.js';
import { noSpace, toApiError } from '../errors.js';
import { layerLimitsFromEnv } from './layer-limits.js';

async function main(): Promise<void> {
  const [blob, dest, layerTool, limit, ...flags] = process.argv.slice(2);
  if (!blob || !dest || !layerTool || !limit) throw new Error('usage: unpack-worker BLOB|- DEST LAYER_TOOL ID_LIMIT [--no-chown] [--verify]');
  if (blob !== '-') exitWithParent();
  const source: Readable = blob === '-' ? process.stdin : fs.createReadStream(blob, { highWaterMark: 1 << 20 });
  const chown = !flags.includes('--no-chown');
  const result = flags.includes('--verify')
    ? await verifyLayer(source, dest, { chown })
    : await unpackLayer(source, dest, { chown, layerTool, idLimit: Number(limit), limits: layerLimitsFromEnv() });
  process.stdout.write(JSON.stringify(result) + '\n');
}

/**
 * The engine holds the write end of our stdin and never writes to it when
 * the layer comes from a file: EOF means the process that started us is
 * gone (kill -9 of `cove load`), and nobody wants this layer any more.
 * cove-unshare sits between us, so PR_SET_PDEATHSIG would watch the wrong
 * parent. (With the layer on stdin, EOF there ends the tar early and the
 * unpack fails the same way.)
 */
function exitWithParent(): void {
  process.stdin.on('data', () => undefined);
  process.stdin.on('error', () => process.exit(1));
  process.stdin.on('end', () => process.exit(1));
}

main()
  .catch((err: unknown) => {
    // An unexpected failure's details go to stderr, which the engine keeps for its error message.
    const report = (e: unknown): void => void process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    // write(2) on a descriptor says ENOSPC without a path: name the layer's directory.
    process.stdout.write(JSON.stringify({ error: toApiError(noSpace(err, process.argv[3]), report) }) + '\n');
    process.exitCode = 1;
  })
  // Done either way: stop watching stdin, or it would keep this process alive.
  .finally(() => process.stdin.destroy());
