// Where Cove's files are: a checkout and the packaged app's layout, and the
// one helper-binary list against what electron-builder.yml ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installPaths, NATIVE_SHIPPED, NATIVE_TOOLS, packagedLayout } from './install-paths.js';

test('a checkout is not a packaged layout; its paths are under the repository', () => {
  assert.equal(packagedLayout('/home/me/src/cove/dist/cli'), null);
  assert.equal(packagedLayout('/home/me/app.asarx/dist'), null);
  const p = installPaths();
  assert.ok(fs.existsSync(path.join(p.root, 'package.json')));
  assert.equal(p.distDir, path.join(p.root, 'dist'));
});

test('inside the packaged app: dist is the unpacked copy, native tools are resources/native', () => {
  const want = {
    root: '/opt/Cove/resources/app.asar',
    nativeDir: '/opt/Cove/resources/native',
    distDir: '/opt/Cove/resources/app.asar.unpacked/dist',
    rendererDir: '/opt/Cove/resources/app.asar/out/renderer',
  };
  // Electron main runs from inside the asar; the CLI and exit commands from the unpacked copy.
  assert.deepEqual(packagedLayout('/opt/Cove/resources/app.asar/out/main'), want);
  assert.deepEqual(packagedLayout('/opt/Cove/resources/app.asar.unpacked/dist/cli'), want);
  assert.equal(packagedLayout('/opt/Cove/resources/app.asar/out/main', '/custom/native')?.nativeDir, '/custom/native');
});

test('electron-builder.yml ships every native tool, and the CLI launcher as resources/bin/cove', () => {
  const root = installPaths().root;
  const yml = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
  const block = /- from: native\/build\n\s+to: native\n\s+filter:\n((?:\s+- [\w.-]+\n)+)/.exec(yml);
  assert.ok(block?.[1], 'the native/build extraResources entry');
  const shipped = block[1].split('\n').map((l) => l.trim().replace(/^- /, '')).filter(Boolean);
  assert.deepEqual([...shipped].sort(), [...NATIVE_SHIPPED].sort());
  assert.match(yml, /- from: build\/cove-cli\.sh\n\s+to: bin\/cove\n/);
  assert.ok((fs.statSync(path.join(root, 'build', 'cove-cli.sh')).mode & 0o111) !== 0, 'the launcher is executable');
  for (const tool of NATIVE_TOOLS) assert.ok(fs.existsSync(path.join(installPaths().nativeDir, tool)), `${tool} is built`);
});
