import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from './errors.js';
import { assertOwnDir, assertOwnSocket, prepareDirs, resolvePaths, type DirStat } from './paths.js';

const me = process.getuid?.() ?? 0;

function fakeStat(uid: number, mode: number, kind: 'dir' | 'link' | 'sock' | 'file' = 'dir'): (p: string) => DirStat {
  return () => ({ uid, mode, isDirectory: () => kind === 'dir', isSymbolicLink: () => kind === 'link', isSocket: () => kind === 'sock' });
}

function refusedWith(fn: () => unknown, p: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof EngineError);
    assert.equal(err.code, 'E_UNSAFE_RUNTIME_DIR');
    assert.ok(err.message.includes(p), `names the path: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cove-paths-'));
}

test('without XDG_RUNTIME_DIR the runtime dir is inside the data dir, never a shared /tmp path', () => {
  const p = resolvePaths({ XDG_DATA_HOME: '/home/u/.local/share' });
  assert.equal(p.home, '/home/u/.local/share/cove');
  assert.equal(p.runtime, '/home/u/.local/share/cove/run');
  assert.equal(resolvePaths({ XDG_DATA_HOME: '/d', XDG_RUNTIME_DIR: '/run/user/7' }).runtime, '/run/user/7/cove');
});

test('a directory owned by another user, a symlink or a group/other-writable one is refused (injected stat)', () => {
  refusedWith(() => assertOwnDir('/x/run', { uid: 1000, lstat: fakeStat(1001, 0o40700) }), '/x/run', /owned by uid 1001/);
  refusedWith(() => assertOwnDir('/x/run', { uid: 1000, lstat: fakeStat(1000, 0o40770) }), '/x/run', /writable by its group.*chmod 700/);
  refusedWith(() => assertOwnDir('/x/run', { uid: 1000, lstat: fakeStat(1000, 0o40707) }), '/x/run', /writable by others/);
  refusedWith(() => assertOwnDir('/x/run', { uid: 1000, lstat: fakeStat(1000, 0o120777, 'link') }), '/x/run', /symbolic link/);
  assert.doesNotThrow(() => assertOwnDir('/x/run', { uid: 1000, lstat: fakeStat(1000, 0o40700) }));
  assert.doesNotThrow(() => assertOwnDir('/x/run', { uid: 1000, lstat: fakeStat(1000, 0o40755) }));
  refusedWith(() => assertOwnSocket('/x/s', { uid: 1000, lstat: fakeStat(0, 0o140600, 'sock') }), '/x/s', /owned by uid 0/);
  refusedWith(() => assertOwnSocket('/x/s', { uid: 1000, lstat: fakeStat(1000, 0o100600, 'file') }), '/x/s', /not a socket/);
});

test('a real group-writable XDG_RUNTIME_DIR, and a pre-created cove dir in it, are refused', () => {
  const root = tempDir();
  try {
    const xdg = path.join(root, 'xdg');
    fs.mkdirSync(xdg);
    fs.chmodSync(xdg, 0o770);
    const env = { XDG_DATA_HOME: path.join(root, 'data'), XDG_RUNTIME_DIR: xdg };
    const paths = resolvePaths(env);
    refusedWith(() => prepareDirs(paths, env), xdg, /writable by its group/);
    assert.equal(fs.existsSync(paths.runtime), false, 'nothing was created in it');
    fs.chmodSync(xdg, 0o700);
    // Squatted: the cove dir exists already, open to others (what another user would leave).
    fs.mkdirSync(paths.runtime);
    fs.chmodSync(paths.runtime, 0o777);
    refusedWith(() => prepareDirs(paths, env), paths.runtime, /writable by/);
    fs.rmdirSync(paths.runtime);
    fs.symlinkSync(root, paths.runtime);
    refusedWith(() => prepareDirs(paths, env), paths.runtime, /symbolic link/);
    fs.unlinkSync(paths.runtime);
    prepareDirs(paths, env);
    assert.equal(fs.statSync(paths.runtime).mode & 0o777, 0o700);
    assert.equal(fs.statSync(paths.home).mode & 0o777, 0o700);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a real runtime dir owned by another user is refused', () => {
  const root = tempDir();
  try {
    let other: string;
    if (me === 0) {
      // As root, make one that belongs to nobody.
      other = path.join(root, 'other');
      fs.mkdirSync(other, { mode: 0o700 });
      fs.chownSync(other, 65534, 65534);
    } else {
      // As a user, / is a directory of root's that is not writable by others.
      other = '/';
    }
    const env = { XDG_DATA_HOME: path.join(root, 'data'), XDG_RUNTIME_DIR: other };
    refusedWith(() => prepareDirs(resolvePaths(env), env), other, /owned by uid/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a socket that is not ours or not a socket is never connected to or replaced', async () => {
  const root = tempDir();
  try {
    const file = path.join(root, 'engine.sock');
    fs.writeFileSync(file, 'x');
    refusedWith(() => assertOwnSocket(file), file, /not a socket/);
    fs.unlinkSync(file);
    fs.symlinkSync('/nonexistent', file);
    refusedWith(() => assertOwnSocket(file), file, /symbolic link/);
    fs.unlinkSync(file);
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(file, r));
    try {
      assert.doesNotThrow(() => assertOwnSocket(file));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
