// Push to a real registry: chunked uploads, existence checks, cross-repository
// blob mounts, authenticated pushes, and a round trip back through pull.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistry, type TestRegistry } from '../../testing/registry-server.js';
import { startFaultProxy, type FaultProxy } from '../../testing/registry-proxy.js';
import { createRegistrySandbox, type RegistrySandbox } from '../../testing/registry-sandbox.js';
import { fixtures } from '../../testing/harness.js';

let reg: TestRegistry;
let secured: TestRegistry;
let proxy: FaultProxy;
let sb: RegistrySandbox;
let imageId: string;

before(async () => {
  assert.notEqual(process.getuid?.(), 0, 'rootless suites run as a non-root user');
  const fx = await fixtures();
  [reg, secured] = await Promise.all([startRegistry(), startRegistry({ auth: 'token' })]);
  proxy = await startFaultProxy(reg.url);
  sb = await createRegistrySandbox();
  sb.env.COVE_PUSH_CHUNK_BYTES = String(256 * 1024);
  const loaded = await sb.cove(['load', '-i', fx.layered]);
  assert.equal(loaded.code, 0, loaded.stderr);
  imageId = JSON.parse((await sb.cove(['image', 'inspect', 'localhost/layered:1'])).stdout)[0].Id as string;
});

after(async () => {
  await sb?.cleanup();
  await proxy?.close();
  await Promise.all([reg?.stop(), secured?.stop()]);
});

test('push uploads in chunks, then the image pulls back identical and runs', async () => {
  const dest = `${proxy.host}/pushed/layered:1`;
  const tag = await sb.cove(['tag', 'localhost/layered:1', dest]);
  assert.equal(tag.code, 0, tag.stderr);
  const r = await sb.cove(['push', dest]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /digest: sha256:[a-f0-9]{64}/);
  const patches = proxy.log.filter((e) => e.method === 'PATCH');
  assert.ok(patches.length > 2, `the big layer went up in 256 KiB chunks (${patches.length} PATCH requests)`);
  assert.ok(proxy.log.some((e) => e.method === 'HEAD'), 'existence checked first');

  const again = await sb.cove(['push', dest]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Layer already exists/, 'docker push words for a layer the registry has');

  const rm = await sb.cove(['rmi', dest]);
  assert.equal(rm.code, 0, rm.stderr);
  const pulled = await sb.cove(['pull', dest]);
  assert.equal(pulled.code, 0, pulled.stderr);
  const inspected = JSON.parse((await sb.cove(['image', 'inspect', dest])).stdout)[0] as { Id: string; RepoDigests: string[] };
  assert.equal(inspected.Id, imageId, 'same image ID after the round trip');
  const run = await sb.cove(['run', '--rm', dest, 'cat', '/data/keep.txt', '/opaque/new.txt']);
  assert.equal(run.stdout, 'keep\nnew\n', run.stderr);
});

test('pushing to another repository of the same registry mounts the blobs', async () => {
  proxy.reset();
  const src = `${proxy.host}/pushed/layered:1`;
  const r = await sb.cove(['push', src, `${proxy.host}/mounted/layered:2`]);
  assert.equal(r.code, 0, r.stderr);
  const mounts = proxy.log.filter((e) => e.method === 'POST' && /mount=sha256/.test(e.path) && e.status === 201);
  assert.ok(mounts.length >= 2, `blobs were mounted from pushed/layered (${mounts.length})`);
  assert.equal(proxy.log.filter((e) => e.method === 'PATCH').length, 0, 'nothing uploaded');
});

test('push to a token-auth registry needs a login', async () => {
  const dest = `${secured.host}/private/layered:1`;
  const denied = await sb.cove(['push', 'localhost/layered:1', dest]);
  assert.equal(denied.code, 125);
  assert.match(denied.stderr, /\[E_REGISTRY_AUTH\]/);
  const login = await sb.cove(['login', '-u', 'alice', '--password-stdin', secured.host], { input: 'wonderland' });
  assert.equal(login.code, 0, login.stderr);
  const ok = await sb.cove(['push', 'localhost/layered:1', dest]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(secured.token?.requests.some((q) => q.user === 'alice' && q.scopes.includes('repository:private/layered:pull,push')));
});
