// Pull from a real registry (Debian's docker-registry on 127.0.0.1, started
// here), run by the non-root test user: formats, compression, platforms,
// digests, short names and shared layers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRegistry, type TestRegistry } from '../../testing/registry-server.js';
import { buildImage, buildIndex, uploadImage, uploadIndex, type BuiltImage } from '../../testing/registry-images.js';
import { createRegistrySandbox, type RegistrySandbox } from '../../testing/registry-sandbox.js';
import { eventually } from '../../testing/harness.js';
import { busyboxRootfsEntries, type TarEntry } from '../../testing/image-fixtures.js';
import type { TaskProgress } from '../../api/contract.js';
import { Engine } from '../engine.js';

let reg: TestRegistry;
let sb: RegistrySandbox;
let base: TarEntry[];
let busybox: BuiltImage;

before(async () => {
  assert.notEqual(process.getuid?.(), 0, 'rootless suites run as a non-root user (npm test arranges it)');
  reg = await startRegistry();
  sb = await createRegistrySandbox();
  base = await busyboxRootfsEntries();
  busybox = await buildImage({
    layers: [base, [{ name: 'etc/motd', content: 'from the registry\n' }, { name: 'opt/', type: 'directory' }, { name: 'opt/data', content: 'x'.repeat(100_000) }]],
    cmd: ['cat', '/etc/motd'],
  });
  await uploadImage(reg, 'test/busybox', '1', busybox);
});

after(async () => {
  await sb?.cleanup();
  await reg?.stop();
});

async function images(): Promise<string> {
  return (await sb.cove(['images'])).stdout;
}

test('pull a multi-layer gzip OCI image, list it and run it', async () => {
  const r = await sb.cove(['pull', `${reg.host}/test/busybox:1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${reg.host}/test/busybox:1`);
  assert.match(r.stderr, /Pull complete/);
  assert.match(r.stderr, new RegExp(`Digest: ${busybox.manifest.digest}`));
  assert.match(await images(), new RegExp(`${reg.host}/test/busybox\\s+1\\s+${busybox.config.digest.slice(7, 19)}`));
  const run = await sb.cove(['run', '--rm', `${reg.host}/test/busybox:1`]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'from the registry\n');
  const again = await sb.cove(['pull', `${reg.host}/test/busybox:1`]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Already exists/);
  assert.match(again.stderr, /Image is up to date/);
  assert.deepEqual(fs.readdirSync(path.join(sb.home, 'tmp')), [], 'no temp files left');
});

test('pull by digest, and a zstd docker-format image that shares the base layer', async () => {
  const zimg = await buildImage({ layers: [base, [{ name: 'etc/zstd', content: 'zstd layer\n' }]], compression: 'zstd', label: 'zstd' });
  await uploadImage(reg, 'test/zstd', 'latest', zimg);
  const r = await sb.cove(['pull', `${reg.host}/test/zstd`]);
  assert.equal(r.code, 0, r.stderr);
  const run = await sb.cove(['run', '--rm', `${reg.host}/test/zstd`, 'cat', '/etc/zstd']);
  assert.equal(run.stdout, 'zstd layer\n', run.stderr);

  const dimg = await buildImage({ layers: [base, [{ name: 'etc/docker', content: 'docker format\n' }]], format: 'docker', label: 'docker' });
  await uploadImage(reg, 'test/docker', null, dimg);
  const byDigest = await sb.cove(['pull', `${reg.host}/test/docker@${dimg.manifest.digest}`]);
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.match(byDigest.stderr, /Already exists/, 'the busybox base layer is shared by chain ID');
  const run2 = await sb.cove(['run', '--rm', `${reg.host}/test/docker@${dimg.manifest.digest}`, 'cat', '/etc/docker']);
  assert.equal(run2.stdout, 'docker format\n', run2.stderr);
});

test('a multi-arch index: the host platform by default, --platform picks another, a missing one is a clear error', async () => {
  const amd = await buildImage({ layers: [[{ name: 'arch', content: 'amd64\n' }]], architecture: 'amd64', label: 'amd' });
  const arm = await buildImage({ layers: [[{ name: 'arch', content: 'arm64\n' }]], architecture: 'arm64', variant: 'v8', label: 'arm' });
  const index = buildIndex([
    { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
    { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  await uploadIndex(reg, 'test/multi', 'v1', [amd, arm], index);
  const arm64 = await sb.cove(['pull', '--platform', 'linux/arm64', `${reg.host}/test/multi:v1`]);
  assert.equal(arm64.code, 0, arm64.stderr);
  assert.match(arm64.stderr, new RegExp(`Digest: ${index.digest}`));
  assert.match(await images(), new RegExp(`test/multi\\s+v1\\s+${arm.config.digest.slice(7, 19)}`));
  const host = await sb.cove(['pull', `${reg.host}/test/multi:v1`]);
  assert.equal(host.code, 0, host.stderr);
  assert.match(await images(), new RegExp(`test/multi\\s+v1\\s+${amd.config.digest.slice(7, 19)}`));
  const none = await sb.cove(['pull', '--platform', 'linux/s390x', `${reg.host}/test/multi:v1`]);
  assert.equal(none.code, 125);
  assert.match(none.stderr, /no variant for linux\/s390x \(it has: linux\/amd64, linux\/arm64\/v8\).*\[E_PLATFORM_NOT_FOUND\]/);
});

test('short names resolve through search registries and aliases from registries.conf', async () => {
  sb.setRegistriesConf(`unqualified-search-registries = ["${reg.host}"]\n[aliases]\n"bb" = "${reg.host}/test/busybox"\n`);
  try {
    const r = await sb.cove(['pull', 'test/busybox:1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${reg.host}/test/busybox:1`);
    const alias = await sb.cove(['pull', 'bb:1']);
    assert.equal(alias.code, 0, alias.stderr);
    assert.equal(alias.stdout.trim(), `${reg.host}/test/busybox:1`);
    const run = await sb.cove(['run', '--rm', 'test/busybox:1']);
    assert.equal(run.stdout, 'from the registry\n', run.stderr);
  } finally {
    sb.setRegistriesConf('unqualified-search-registries = ["docker.io"]\n');
  }
});

test('a missing image or tag is E_IMAGE_NOT_FOUND and stores nothing', async () => {
  const before = fs.readdirSync(path.join(sb.home, 'blobs', 'sha256')).length;
  const r = await sb.cove(['pull', `${reg.host}/test/busybox:nope`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /not found.*\[E_IMAGE_NOT_FOUND\]/);
  assert.equal(fs.readdirSync(path.join(sb.home, 'blobs', 'sha256')).length, before);
});

test('images:pull through the API: a task whose events carry per-layer bytes and a total', async () => {
  const big = await buildImage({ layers: [[{ name: 'a', content: 'a'.repeat(300_000) }], [{ name: 'b', content: 'b'.repeat(200_000) }]], compression: 'none', label: 'api' });
  await uploadImage(reg, 'test/api', 'v1', big);
  const engine = await Engine.open({ home: sb.home });
  try {
    const events: TaskProgress[] = [];
    const connection = engine.connect(({ event }) => {
      if (event.type === 'task') events.push(event.task);
    });
    await connection.call('events:subscribe', { types: ['task'] });
    const { taskId } = await connection.call('images:pull', { reference: `${reg.host}/test/api:v1` });
    const last = await eventually(() => events.find((t) => t.id === taskId && t.state !== 'running'), 20_000, 'the pull task to end');
    connection.close();
    assert.equal(last.state, 'done', JSON.stringify(last.error));
    assert.equal(last.kind, 'pull');
    assert.equal(last.total, big.layers.reduce((s, l) => s + l.size, 0));
    assert.equal(last.current, last.total);
    assert.deepEqual(last.layers.map((l) => [l.digest, l.size, l.status]).sort(), big.layers.map((l) => [l.digest, l.size, 'done']).sort());
    assert.ok(events.some((t) => t.id === taskId && t.layers.some((l) => l.status === 'downloading' || l.status === 'extracting')), 'intermediate progress was sent');
    assert.ok((await engine.tasks.list()).some((t) => t.id === taskId && t.state === 'done'));
    assert.ok((await engine.images.list()).some((i) => i.id === big.config.digest));
  } finally {
    await engine.close();
  }
});
