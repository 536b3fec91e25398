// The CLI's loader (dist/cove.cjs, built from scripts/cli-loader.cjs): the
// built CLI run as a child, with its V8 code cache in a private store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installPaths } from '../engine/install-paths.js';

const cli = path.join(installPaths().distDir, 'cove.cjs');

function cove(home: string, args: string[], extra: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, COVE_HOME: home };
  delete env.COVE_NO_CODE_CACHE;
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function caches(home: string): string[] {
  const dir = path.join(home, 'cache', 'v8');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

function withHome(fn: (home: string) => void): void {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-loader-'));
  try {
    fn(home);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

test('a verb that succeeds leaves one private cache file, which the next run uses as it is', () => {
  withHome((home) => {
    const first = cove(home, ['version']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^cove \d+\.\d+\.\d+/);
    const files = caches(home);
    assert.equal(files.length, 1);
    assert.match(files[0] as string, /^version-[0-9a-f]{16}-v\d+/);
    const file = path.join(home, 'cache', 'v8', files[0] as string);
    const st = fs.statSync(file);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(home, 'cache')).mode & 0o777, 0o700);
    // Accepted by V8: a rejected cache would be written again (a new inode from the rename).
    const second = cove(home, ['version']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.equal(fs.statSync(file).ino, st.ino);
  });
});

test('a cache V8 rejects is replaced, and the command runs as without one', () => {
  withHome((home) => {
    assert.equal(cove(home, ['version']).code, 0);
    const file = path.join(home, 'cache', 'v8', caches(home)[0] as string);
    fs.writeFileSync(file, Buffer.alloc(4096, 7));
    const r = cove(home, ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cove /);
    assert.notDeepEqual(fs.readFileSync(file), Buffer.alloc(4096, 7));
  });
});

test('no cache for a failing command, outside a store that is not the user\'s alone, or when turned off', () => {
  withHome((home) => {
    const bad = cove(home, ['no-such-verb']);
    assert.equal(bad.code, 1);
    assert.deepEqual(caches(home), []);

    assert.equal(cove(home, ['version'], { COVE_NO_CODE_CACHE: '1' }).code, 0);
    assert.deepEqual(caches(home), []);

    // Group-writable: another user could plant bytecode there.
    fs.chmodSync(home, 0o770);
    const shared = cove(home, ['version']);
    assert.equal(shared.code, 0, shared.stderr);
    assert.deepEqual(caches(home), []);
  });
  // A store that does not exist yet is the engine's to create, not the loader's.
  const missing = path.join(os.tmpdir(), `cove-loader-missing-${process.pid}`);
  const r = cove(missing, ['version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.existsSync(missing), false);
});

test('a new build replaces the caches of older ones, and leftovers of a killed writer go', () => {
  withHome((home) => {
    assert.equal(cove(home, ['version']).code, 0);
    const dir = path.join(home, 'cache', 'v8');
    const old = path.join(dir, 'version-0123456789abcdef-v0.0.0-0-x64.bin');
    const stale = path.join(dir, 'run-x.bin.99999.tmp');
    const fresh = path.join(dir, 'run-x.bin.99998.tmp');
    fs.writeFileSync(old, 'old');
    fs.writeFileSync(stale, 'partial');
    fs.writeFileSync(fresh, 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    // A verb without a cache yet writes one, and tidies the directory as it does.
    const r = cove(home, ['ps', '-a']);
    assert.equal(r.code, 0, r.stderr);
    const left = caches(home);
    assert.equal(left.includes(path.basename(old)), false);
    assert.equal(left.includes(path.basename(stale)), false);
    assert.equal(left.includes(path.basename(fresh)), true);
    assert.equal(left.filter((f) => f.startsWith('ps-')).length, 1);
  });
});

test('install-cli links the CommonJS launcher, and cove through the link runs the CLI', () => {
  withHome((home) => {
    const binDir = path.join(home, 'bin');
    const script = path.join(installPaths().root, 'scripts', 'install-cli.mjs');
    const install = spawnSync(process.execPath, [script], { env: { ...process.env, COVE_BIN_DIR: binDir }, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    assert.equal(fs.readlinkSync(path.join(binDir, 'cove')), path.join(installPaths().root, 'bin', 'cove.cjs'));
    const r = spawnSync(path.join(binDir, 'cove'), ['version'], { env: { ...process.env, COVE_HOME: home }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^cove \d+\.\d+\.\d+/);
  });
});
