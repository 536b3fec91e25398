// The store's verbs as the test user: save/load round trips in both
// archive formats, import of a rootfs tarball, tag, inspect, history,
// prune, system df, and system check finding and repairing damage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createSandbox, fixtures, type CoveSandbox } from '../../testing/harness.js';
import { busyboxRootfsEntries, packTar } from '../../testing/image-fixtures.js';

let sb: CoveSandbox;
let fx: Awaited<ReturnType<typeof fixtures>>;

before(async () => {
  assert.notEqual(process.getuid?.(), 0, 'rootless suites run as a non-root user');
  fx = await fixtures();
  sb = await createSandbox('cove-store-it-');
  const r = await sb.cove(['load', '-i', fx.layered]);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await sb?.cleanup();
});

async function inspect(ref: string): Promise<{ Id: string; RepoTags: string[]; RootFS: { Layers: string[] }; Size: number; Config: { Cmd: string[] | null } }> {
  const r = await sb.cove(['image', 'inspect', ref]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0];
}

test('tag, inspect and history', async () => {
  const t = await sb.cove(['tag', 'localhost/layered:1', 'example.com/team/layered:v2']);
  assert.equal(t.code, 0, t.stderr);
  const info = await inspect('example.com/team/layered:v2');
  assert.deepEqual(info.RepoTags.sort(), ['example.com/team/layered:v2', 'localhost/layered:1']);
  assert.equal(info.RootFS.Layers.length, 2);
  assert.ok(info.Size > 1_000_000);
  const h = await sb.cove(['image', 'history', 'localhost/layered:1']);
  assert.equal(h.code, 0, h.stderr);
  const lines = h.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT/);
  assert.equal(lines.length, 3);
  assert.match(lines[1] ?? '', new RegExp(`^${info.Id.slice(7, 19)}`));
  assert.match(lines[2] ?? '', /^<missing>/);
  const untag = await sb.cove(['rmi', 'example.com/team/layered:v2']);
  assert.match(untag.stdout, /Untagged: example.com\/team\/layered:v2/);
});

for (const format of ['docker-archive', 'oci-archive'] as const) {
  test(`save and load round-trip as ${format}`, async () => {
    const before = await inspect('localhost/layered:1');
    const file = path.join(sb.home, `saved-${format}.tar`);
    const s = await sb.cove(['save', '--format', format, '-o', file, 'localhost/layered:1']);
    assert.equal(s.code, 0, s.stderr);
    const rm = await sb.cove(['rmi', 'localhost/layered:1']);
    assert.equal(rm.code, 0, rm.stderr);
    const l = await sb.cove(['load', '-i', file]);
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /Loaded image: localhost\/layered:1/);
    const after = await inspect('localhost/layered:1');
    assert.equal(after.Id, before.Id);
    const run = await sb.cove(['run', '--rm', 'localhost/layered:1', 'cat', '/data/keep.txt']);
    assert.equal(run.stdout, 'keep\n', run.stderr);
  });
}

test('import a rootfs tarball with --change, and prune the dangling one', async () => {
  const rootfs = path.join(sb.home, 'rootfs.tar.gz');
  fs.writeFileSync(rootfs, zlib.gzipSync(await packTar(await busyboxRootfsEntries())));
  const r = await sb.cove(['import', '-c', 'CMD ["echo", "imported"]', '-m', 'from a test', rootfs, 'local/imported:1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sha256:[a-f0-9]{64}$/m);
  const run = await sb.cove(['run', '--rm', 'local/imported:1']);
  assert.equal(run.stdout, 'imported\n', run.stderr);
  const hist = await sb.cove(['history', 'local/imported:1']);
  assert.match(hist.stdout, /cove import\s+[\d.]+MB\s+from a test/);

  const dangling = await sb.cove(['import', rootfs]);
  assert.equal(dangling.code, 0, dangling.stderr);
  const p = await sb.cove(['image', 'prune', '-f']);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, new RegExp(`deleted: ${dangling.stdout.trim()}`));
  assert.doesNotMatch((await sb.cove(['images'])).stdout, /<none>/);
});

test('system df shows images and what could be reclaimed', async () => {
  const r = await sb.cove(['system', 'df']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE/);
  assert.match(r.stdout, /^Images\s+2\s+0\s+[\d.]+MB\s+[\d.]+MB \(100%\)/m);
  assert.match(r.stdout, /^Containers\s+0\s+0/m);
});

test('system check: clean store, then a corrupt blob and a tampered layer are found and repaired', async () => {
  const clean = await sb.cove(['system', 'check']);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /The store is consistent/);
  assert.doesNotMatch(clean.stdout, /PROBLEM/);

  // Tamper with a file of an unpacked layer (owned by container root, i.e. by us).
  const info = await inspect('local/imported:1');
  const images = JSON.parse(fs.readFileSync(path.join(sb.home, 'images.json'), 'utf8')) as { images: Record<string, { layers: Array<{ chainId: string; digest: string }> }> };
  const chain = images.images[info.Id]?.layers[0]?.chainId as string;
  const passwd = path.join(sb.home, 'layers', chain.slice(7), 'diff', 'etc', 'passwd');
  fs.writeFileSync(passwd, 'root:x:0:0:hacked:/root:/bin/sh\n');
  const found = await sb.cove(['system', 'check']);
  assert.equal(found.code, 1, found.stdout);
  assert.match(found.stdout, /PROBLEM layer [a-f0-9]{12}: its files differ from the layer: etc\/passwd/);
  const fixed = await sb.cove(['system', 'check', '--repair']);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /re-unpacked 1 layer\(s\)/);
  const run = await sb.cove(['run', '--rm', 'local/imported:1', 'grep', '-c', 'hacked', '/etc/passwd']);
  assert.equal(run.stdout.trim(), '0');

  // Corrupt the layered image's big blob: the image cannot be made whole and is removed.
  const layeredId = (await inspect('localhost/layered:1')).Id;
  const blob = images.images[layeredId]?.layers[0]?.digest as string;
  const blobFile = path.join(sb.home, 'blobs', 'sha256', blob.slice(7));
  const fd = fs.openSync(blobFile, 'r+');
  fs.writeSync(fd, Buffer.from('garbage'), 0, 7, 100);
  fs.closeSync(fd);
  const bad = await sb.cove(['system', 'check', '--quick']);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /PROBLEM blob [a-f0-9]{12}: content does not match its digest/);
  const repaired = await sb.cove(['system', 'check', '--repair']);
  assert.equal(repaired.code, 0, repaired.stdout);
  assert.match(repaired.stdout, /removed corrupt blob/);
  assert.match(repaired.stdout, /removed image [a-f0-9]{12}, which cannot be made whole; pull or load it again/);
  const final = await sb.cove(['system', 'check']);
  assert.equal(final.code, 0, final.stdout);
  assert.doesNotMatch(final.stdout, /PROBLEM|leftover/);
  const reload = await sb.cove(['load', '-i', fx.layered]);
  assert.equal(reload.code, 0, reload.stderr);
});
