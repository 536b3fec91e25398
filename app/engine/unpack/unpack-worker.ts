// Entry point run inside the container's user namespace (through
// cove-unshare) so that lchown lands files on the mapped subordinate ids.
// argv: <layer blob> <destination dir> <cove-layer-tool> <id limit> [--no-chown]
// Prints one JSON line: the UnpackResult, or {"error":{code,message}}.
import fs from 'node:fs';
import { unpackLayer } from './unpack-layer.js';
import { toApiError } from '../errors.js';

async function main(): Promise<void> {
  const [blob, dest, layerTool, limit, flag] = process.argv.slice(2);
  if (!blob || !dest || !layerTool || !limit) throw new Error('usage: unpack-worker BLOB DEST LAYER_TOOL ID_LIMIT [--no-chown]');
  const result = await unpackLayer(fs.createReadStream(blob), dest, {
    chown: flag !== '--no-chown',
    layerTool,
    idLimit: Number(limit),
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  process.stdout.write(JSON.stringify({ error: toApiError(err) }) + '\n');
  process.exitCode = 1;
});
