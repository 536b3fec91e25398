// What a loaded layer may not do silently: device nodes (left out rootless,
// with a warning) and unpacking past the size cap (refused, nothing kept).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createSandbox, type CoveSandbox } from '../../testing/harness.js';
import { busyboxRootfsEntries, writeDockerArchive } from '../../testing/image-fixtures.js';

let sb: CoveSandbox | undefined;
after(async () => {
  await sb?.cleanup();
});

test('a layer with device nodes loads without them and cove load prints a warning', async () => {
  sb = await createSandbox();
  const archive = path.join(sb.home, 'devices.tar');
  await writeDockerArchive(archive, {
    layers: [[...(await busyboxRootfsEntries()), { name: 'dev/', type: 'directory' }, { name: 'dev/kmsg', type: 'character-device' }, { name: 'dev/mem', type: 'character-device' }]],
    references: ['localhost/devices:1'],
  });
  const r = await sb.cove(['load', '-i', archive]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Loaded image: localhost\/devices:1/);
  assert.match(r.stderr, /^warning: layer [0-9a-f]{12} has 2 device node\(s\) that cannot be created without root; they were left out/m);
  const layers = fs.readdirSync(path.join(sb.home, 'layers')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  assert.equal(layers.length, 1);
  assert.equal(fs.existsSync(path.join(sb.home, 'layers', layers[0] as string, 'diff', 'dev', 'kmsg')), false);
});

test('cove load refuses a layer past COVE_MAX_LAYER_BYTES with E_LAYER_TOO_LARGE and keeps nothing', async () => {
  const box = await createSandbox();
  try {
    const archive = path.join(box.home, 'big.tar');
    await writeDockerArchive(archive, { layers: [[{ name: 'zeros', content: Buffer.alloc(8 * 1024 * 1024) }]], references: ['localhost/big:1'], gzip: true });
    box.env.COVE_MAX_LAYER_BYTES = String(4 * 1024 * 1024);
    const r = await box.cove(['load', '-i', archive]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /more than 4194304 bytes.*\[E_LAYER_TOO_LARGE\]/);
    assert.equal((await box.cove(['images', '-q'])).stdout.trim(), '');
    assert.deepEqual(fs.readdirSync(path.join(box.home, 'layers')), [], 'no temp layer left');
    delete box.env.COVE_MAX_LAYER_BYTES;
    assert.equal((await box.cove(['load', '-q', '-i', archive])).code, 0, 'loads within the default cap');
  } finally {
    await box.cleanup();
  }
});
