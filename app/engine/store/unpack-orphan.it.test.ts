// kill -9 of the process that started an unpack (cove load, a pull) leaves
// no unpack worker behind in its user namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { currentIdMappings } from '../idmap.js';
import { removeAsMappedRoot } from '../userns.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Pids whose command line mentions `needle` (the worker runs as node with our dest as an argument). */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until(fn: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fn();
}

test('the unpack worker dies with the process that started it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-orphan-'));
  const fifo = path.join(dir, 'layer.fifo');
  const dest = path.join(dir, `dest-${process.pid}`);
  fs.mkdirSync(dest);
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // O_RDWR: open a FIFO without waiting for a reader (fifo(7)); the worker then waits for more layer bytes forever.
  const feeder = fs.openSync(fifo, fs.constants.O_RDWR);
  const partial = zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024, 1)).subarray(0, 2048);
  fs.writeSync(feeder, partial);
  const script = `const { startUnpack } = await import(${JSON.stringify(path.join(here, 'unpack-process.ts'))});
const { currentIdMappings } = await import(${JSON.stringify(path.join(here, '..', 'idmap.ts'))});
startUnpack(currentIdMappings(), ${JSON.stringify(fifo)}, ${JSON.stringify(dest)}).result.catch(() => undefined);
setInterval(() => undefined, 1000);`;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
  try {
    assert.ok(await until(() => processesWith(dest).length >= 3, 20_000), 'the parent, cove-unshare and the worker started');
    parent.kill('SIGKILL');
    const gone = await until(() => processesWith(dest).length === 0, 5000);
    assert.ok(gone, `still running after the parent died: ${processesWith(dest).join(', ')}`);
  } finally {
    parent.kill('SIGKILL');
    for (const pid of processesWith(dest)) process.kill(pid, 'SIGKILL');
    fs.closeSync(feeder);
    await removeAsMappedRoot(currentIdMappings(), [dest]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
