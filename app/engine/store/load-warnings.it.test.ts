// Device nodes cannot be created rootless: a layer that has them loads
// without them, and the user is told (a warning event, printed by cove load).
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
