import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { directorySize } from './volume-size.js';

test('sums regular files once (hardlinks counted once), never follows symlinks, and says when a directory was unreadable', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-volsize-'));
  try {
    fs.mkdirSync(path.join(root, 'a/b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'one'), Buffer.alloc(1000));
    fs.writeFileSync(path.join(root, 'a/b/two'), Buffer.alloc(234));
    fs.linkSync(path.join(root, 'one'), path.join(root, 'a/hard'));
    fs.symlinkSync('/etc', path.join(root, 'etc-link'));
    assert.deepEqual(await directorySize(root), { bytes: 1234, complete: true });
    if (process.getuid?.() !== 0) {
      fs.mkdirSync(path.join(root, 'closed'));
      fs.writeFileSync(path.join(root, 'closed/x'), Buffer.alloc(10));
      fs.chmodSync(path.join(root, 'closed'), 0);
      assert.deepEqual(await directorySize(root), { bytes: 1234, complete: false });
      fs.chmodSync(path.join(root, 'closed'), 0o700);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
