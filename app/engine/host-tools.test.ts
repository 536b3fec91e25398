import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable, findHostTool } from './host-tools.js';

test('host tools: the first executable file in PATH wins; relative dirs, directories and non-executables are skipped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-tools-'));
  try {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'slirp4netns'), '#!/bin/sh\n', { mode: 0o644 });
    fs.mkdirSync(path.join(a, 'runc'));
    fs.writeFileSync(path.join(b, 'slirp4netns'), '#!/bin/sh\n', { mode: 0o755 });
    const env = { PATH: `relative/bin:${a}:${b}` };
    assert.equal(findHostTool('slirp4netns', env), path.join(b, 'slirp4netns'));
    assert.notEqual(findExecutable('runc', env), path.join(a, 'runc'));
    assert.equal(findExecutable('no-such-tool-here', env), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
