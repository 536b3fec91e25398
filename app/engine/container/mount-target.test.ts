import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../errors.js';
import { checkMountTargets, resolveInImage } from './mount-target.js';

test("mount targets that lead to the container's / through the image's symlinks or /proc are refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mount-target-'));
  try {
    const bottom = path.join(dir, 'bottom');
    const top = path.join(dir, 'top');
    fs.mkdirSync(path.join(bottom, 'srv', 'data'), { recursive: true });
    fs.mkdirSync(path.join(bottom, 'etc'), { recursive: true });
    fs.symlinkSync('/', path.join(bottom, 'rootlink'));
    fs.symlinkSync('../..', path.join(bottom, 'srv', 'data', 'up'));
    fs.symlinkSync('/etc', path.join(bottom, 'etclink'));
    fs.mkdirSync(top);
    fs.symlinkSync('/proc/self/root', path.join(top, 'sneaky'));
    fs.symlinkSync('loop2', path.join(top, 'loop1'));
    fs.symlinkSync('loop1', path.join(top, 'loop2'));
    const lowers = [top, bottom];
    assert.equal(resolveInImage(lowers, '/rootlink'), '/');
    assert.equal(resolveInImage(lowers, '/srv/data/up'), '/');
    assert.equal(resolveInImage(lowers, '/etclink/x/../y'), '/etc/y', 'past a missing component the rest is literal');
    assert.equal(resolveInImage(lowers, '/sneaky'), '/proc/self/root');
    assert.equal(resolveInImage(lowers, '/etclink'), '/etc');
    assert.equal(resolveInImage(lowers, '/loop1'), null, 'a symlink loop ends the walk');
    for (const t of ['/rootlink', '/srv/data/up', '/sneaky']) {
      assert.throws(() => checkMountTargets([t], lowers), (e: unknown) => e instanceof EngineError && e.code === 'E_INVALID_ARGUMENT' && e.message.includes(t));
    }
    assert.doesNotThrow(() => checkMountTargets(['/etclink', '/srv/data', '/new/dir'], lowers));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
