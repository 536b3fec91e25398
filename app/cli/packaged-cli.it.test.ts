// The CLI as the packaged app ships it (electron-builder.yml): an install
// tree laid out as electron-builder lays it (resources/app.asar.unpacked/dist,
// resources/native, resources/bin/cove), put on PATH by install-cli, running a
// real container with the native tools from resources/native. The Electron
// binary cannot be downloaded here: a stand-in executable takes its place and
// refuses to run unless the launcher set ELECTRON_RUN_AS_NODE, as Electron
// would otherwise open a window instead of acting as Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installPaths, NATIVE_SHIPPED } from '../engine/install-paths.js';
import { busyboxSandbox, runProcess, type CoveSandbox } from '../testing/harness.js';

let tmp: string;
let sb: CoveSandbox;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-packaged-'));
  const { root, distDir, nativeDir } = installPaths();
  const app = path.join(tmp, 'Cove');
  const resources = path.join(app, 'resources');
  fs.mkdirSync(path.join(resources, 'native'), { recursive: true });
  fs.mkdirSync(path.join(resources, 'bin'));
  fs.cpSync(distDir, path.join(resources, 'app.asar.unpacked', 'dist'), { recursive: true });
  for (const file of NATIVE_SHIPPED) {
    if (!fs.existsSync(path.join(nativeDir, file))) continue;
    fs.copyFileSync(path.join(nativeDir, file), path.join(resources, 'native', file));
    fs.chmodSync(path.join(resources, 'native', file), 0o755);
  }
  fs.copyFileSync(path.join(root, 'build', 'cove-cli.sh'), path.join(resources, 'bin', 'cove'));
  fs.chmodSync(path.join(resources, 'bin', 'cove'), 0o755);
  fs.writeFileSync(path.join(app, 'cove-desktop'), `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || exit 99\nexec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
  sb = await busyboxSandbox('cove-packaged-home-');
});

after(async () => {
  await sb?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('install-cli links the packaged launcher; that cove runs a container with the packaged native tools', async () => {
  const binDir = path.join(tmp, 'bin');
  const launcher = path.join(tmp, 'Cove', 'resources', 'bin', 'cove');
  const env: NodeJS.ProcessEnv = { ...sb.env, COVE_BIN_DIR: binDir };
  delete env.COVE_NATIVE_DIR;
  const install = await runProcess(process.execPath, [path.join(installPaths().root, 'scripts', 'install-cli.mjs'), launcher], { env });
  assert.equal(install.code, 0, install.stderr);
  assert.equal(fs.readlinkSync(path.join(binDir, 'cove')), launcher);

  const cove = path.join(binDir, 'cove');
  const version = await runProcess(cove, ['version'], { env });
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /\d+\.\d+\.\d+/);

  // The copy cannot walk up to a checkout: only the packaged layout lets it find its native tools.
  const run = await runProcess(cove, ['run', '--rm', '--network', 'none', 'busybox', 'echo', 'from-the-package'], { env, timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'from-the-package\n');

  const bogus = await runProcess(process.execPath, [path.join(installPaths().root, 'scripts', 'install-cli.mjs'), path.join(tmp, 'nowhere')], { env });
  assert.equal(bogus.code, 1);
  assert.match(bogus.stderr, /does not exist/);
});

test('the launcher says so when the app binary is missing', async () => {
  const lone = path.join(tmp, 'lone', 'resources', 'bin');
  fs.mkdirSync(lone, { recursive: true });
  fs.copyFileSync(path.join(installPaths().root, 'build', 'cove-cli.sh'), path.join(lone, 'cove'));
  fs.chmodSync(path.join(lone, 'cove'), 0o755);
  const r = await runProcess(path.join(lone, 'cove'), ['version'], { env: { ...process.env, COVE_ELECTRON: '' } });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /executable is not beside/);
});
