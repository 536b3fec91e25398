// Registry faults through a fault-injecting proxy: every case ends in
// success or a clear error code, and never leaves a corrupt store (no blob
// under a wrong name, no half layer, no temp file, no image record).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startRegistry, type TestRegistry } from '../../testing/registry-server.js';
import { startFaultProxy, type FaultProxy } from '../../testing/registry-proxy.js';
import { buildImage, uploadImage, type BuiltImage } from '../../testing/registry-images.js';
import { createRegistrySandbox, type RegistrySandbox } from '../../testing/registry-sandbox.js';
import { eventually } from '../../testing/harness.js';

let reg: TestRegistry;
let proxy: FaultProxy;
let sb: RegistrySandbox;
let img: BuiltImage;
let ref: string;
const BLOB = /\/blobs\/sha256:/;

before(async () => {
  assert.notEqual(process.getuid?.(), 0, 'rootless suites run as a non-root user');
  reg = await startRegistry();
  proxy = await startFaultProxy(reg.url);
  sb = await createRegistrySandbox();
  // Incompressible content so the layer blob is big enough to cut in the middle.
  img = await buildImage({
    layers: [[{ name: 'big.bin', content: crypto.randomBytes(1_500_000) }], [{ name: 'small.txt', content: 'small\n' }]],
    label: 'faults',
  });
  await uploadImage(reg, 'test/faults', 'v1', img);
  ref = `${proxy.host}/test/faults:v1`;
});

after(async () => {
  await sb?.cleanup();
  await proxy?.close();
  await reg?.stop();
});

beforeEach(async () => {
  proxy.reset();
  // Each case starts from an empty store.
  await sb.cove(['rmi', '-f', ref]);
});

const bigLayer = (): RegExp => new RegExp(`/blobs/${img.layers[0]?.digest}`);

/** The store holds no half-written thing and no record of the image. */
function assertNoDebris(imagePresent: boolean): void {
  assert.deepEqual(fs.readdirSync(path.join(sb.home, 'tmp')), [], 'no temp files');
  assert.deepEqual(fs.readdirSync(path.join(sb.home, 'layers')).filter((n) => n.startsWith('.tmp-')), [], 'no half-unpacked layers');
  const images = JSON.parse(fs.readFileSync(path.join(sb.home, 'images.json'), 'utf8') || '{"images":{}}') as { images: Record<string, unknown> };
  assert.equal(Boolean(images.images[img.config.digest]), imagePresent);
  for (const name of fs.readdirSync(path.join(sb.home, 'blobs', 'sha256'))) {
    const data = fs.readFileSync(path.join(sb.home, 'blobs', 'sha256', name));
    assert.equal(crypto.createHash('sha256').update(data).digest('hex'), name, `blob ${name} holds what its name says`);
  }
}

async function pullOk(): Promise<void> {
  const r = await sb.cove(['pull', ref]);
  assert.equal(r.code, 0, r.stderr);
  assertNoDebris(true);
}

async function pullFails(code: string, message: RegExp): Promise<void> {
  const r = await sb.cove(['pull', ref]);
  assert.equal(r.code, 125, r.stderr);
  assert.match(r.stderr, new RegExp(`\\[${code}\\]`));
  assert.match(r.stderr, message);
  assertNoDebris(false);
}

test('a truncated blob is resumed with Range and the pull succeeds', async () => {
  proxy.rules.push({ method: 'GET', path: bigLayer(), fault: { kind: 'truncate', after: 600_000 }, times: 1 });
  await pullOk();
  const gets = proxy.log.filter((e) => bigLayer().test(e.path) && e.method === 'GET');
  assert.equal(gets.length, 2);
  // Resumed from what arrived: at most the 600000 bytes sent (Node may drop the tail it buffered when the socket closed).
  const offset = Number(/^bytes=(\d+)-$/.exec(gets[1]?.range ?? '')?.[1]);
  assert.ok(offset > 0 && offset <= 600_000, `resumed at ${gets[1]?.range}`);
});

test('a connection reset mid-blob is resumed and the pull succeeds', async () => {
  proxy.rules.push({ method: 'GET', path: bigLayer(), fault: { kind: 'reset', after: 300_000 }, times: 2 });
  await pullOk();
  // A reset loses what was still in flight, so each resume starts at what actually arrived.
  const offsets = proxy.log.filter((e) => bigLayer().test(e.path)).map((e) => Number(/^bytes=(\d+)-$/.exec(e.range ?? '')?.[1] ?? 0));
  assert.equal(offsets.length, 3);
  assert.ok(offsets[0] === 0 && (offsets[1] ?? 0) > 0 && (offsets[2] ?? 0) > (offsets[1] ?? 0), `resumed at increasing offsets: ${offsets.join(', ')}`);
});

test('blob downloads redirected to another origin (blob storage) are followed', async () => {
  // localhost instead of 127.0.0.1: another origin, as S3 or a CDN would be.
  const storage = reg.url.replace('127.0.0.1', 'localhost');
  proxy.rules.push({ method: 'GET', path: BLOB, fault: { kind: 'redirect', origin: storage }, times: Infinity });
  await pullOk();
  assert.ok(proxy.log.filter((e) => e.status === 307).length >= 2, 'layers and config came through the redirect');
});

test('a blob with a wrong digest is refused and nothing is stored', async () => {
  proxy.rules.push({ method: 'GET', path: bigLayer(), fault: { kind: 'corrupt' }, times: Infinity });
  await pullFails('E_DIGEST_MISMATCH', /content has digest sha256:[a-f0-9]{64}, but sha256:/);
  assert.equal(fs.existsSync(path.join(sb.home, 'blobs', 'sha256', (img.layers[0]?.digest ?? '').slice(7))), false);
});

test('HTTP 500 (and 429) then success: retried with backoff', async () => {
  proxy.rules.push({ path: /\/manifests\//, fault: { kind: 'status', status: 500 }, times: 1 });
  proxy.rules.push({ method: 'GET', path: bigLayer(), fault: { kind: 'status', status: 503 }, times: 2 });
  proxy.rules.push({ method: 'GET', path: BLOB, fault: { kind: 'status', status: 429, headers: { 'retry-after': '0' } }, times: 1 });
  await pullOk();
  assert.equal(proxy.log.filter((e) => e.fault === 'status').length, 4);
});

test('a registry that keeps failing gives E_REGISTRY_ERROR', async () => {
  proxy.rules.push({ path: /\/manifests\//, fault: { kind: 'status', status: 502 }, times: Infinity });
  await pullFails('E_REGISTRY_ERROR', /answered HTTP 502 5 times/);
});

test('a slow blob completes and reports progress in bytes', async () => {
  proxy.rules.push({ method: 'GET', path: bigLayer(), fault: { kind: 'slow', bytesPerSecond: 400_000 }, times: 1 });
  const r = await sb.cove(['pull', ref], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Downloading [\d.]+[kM]B\/1\.\d+MB/);
  assertNoDebris(true);
});

test('a pull cancelled with SIGINT mid-blob cleans up after itself', async () => {
  proxy.rules.push({ method: 'GET', path: bigLayer(), fault: { kind: 'slow', bytesPerSecond: 100_000 }, times: 1 });
  const child = sb.spawnCove(['pull', ref]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await eventually(() => /Downloading/.test(stderr), 10_000, 'download start');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 125);
  assert.match(stderr, /\[E_CANCELLED\]/);
  assertNoDebris(false);
});

test('an oversized manifest is refused before it is read whole', async () => {
  const huge = Buffer.alloc(5 * 1024 * 1024, 0x20);
  proxy.rules.push({ method: 'GET', path: /\/manifests\//, fault: { kind: 'body', body: huge, chunked: true }, times: Infinity });
  await pullFails('E_MANIFEST_INVALID', /more than the 4194304 bytes allowed/);
});

test('a schema 1 manifest is refused clearly', async () => {
  const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'test/faults', tag: 'v1', fsLayers: [], history: [] }));
  proxy.rules.push({ method: 'GET', path: /\/manifests\//, fault: { kind: 'body', body: schema1, contentType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' }, times: Infinity });
  await pullFails('E_MANIFEST_UNSUPPORTED', /schema 1/);
});
