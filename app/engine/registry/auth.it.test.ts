// Authentication and TLS against real registries started here: htpasswd
// basic auth, token auth from a token server of the test, a CA the test
// generated, cove login/logout, docker's config.json and credential helpers,
// and a token that expires mid-pull (401 then a fresh token).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRegistry, type TestRegistry } from '../../testing/registry-server.js';
import { startFaultProxy, type FaultProxy } from '../../testing/registry-proxy.js';
import { buildImage, uploadImage, type BuiltImage } from '../../testing/registry-images.js';
import { createRegistrySandbox, type RegistrySandbox } from '../../testing/registry-sandbox.js';

const creds = { user: 'alice', password: 'wonderland' };
let basic: TestRegistry;
let tokenTls: TestRegistry;
let tokenPlain: TestRegistry;
let proxy: FaultProxy;
let sb: RegistrySandbox;
let img: BuiltImage;

before(async () => {
  assert.notEqual(process.getuid?.(), 0, 'rootless suites run as a non-root user');
  [basic, tokenTls, tokenPlain] = await Promise.all([
    startRegistry({ auth: 'htpasswd' }),
    startRegistry({ auth: 'token', tls: true }),
    startRegistry({ auth: 'token', anonymousPull: true }),
  ]);
  proxy = await startFaultProxy(tokenPlain.url);
  sb = await createRegistrySandbox();
  img = await buildImage({ layers: [[{ name: 'secret.txt', content: 'authenticated\n' }], [{ name: 'more.txt', content: 'more\n' }]], label: 'auth' });
  await Promise.all([uploadImage(basic, 'private/app', 'v1', img, creds), uploadImage(tokenTls, 'private/app', 'v1', img, creds), uploadImage(tokenPlain, 'public/app', 'v1', img, creds)]);
});

after(async () => {
  await sb?.cleanup();
  await proxy?.close();
  await Promise.all([basic?.stop(), tokenTls?.stop(), tokenPlain?.stop()]);
});

async function rmi(ref: string): Promise<void> {
  await sb.cove(['rmi', '-f', ref]);
}

test('htpasswd: a pull without credentials says to log in; login checks, saves, and logout removes', async () => {
  const ref = `${basic.host}/private/app:v1`;
  const anon = await sb.cove(['pull', ref]);
  assert.equal(anon.code, 125);
  assert.match(anon.stderr, new RegExp(`cove login ${basic.host}.*\\[E_REGISTRY_AUTH\\]`));

  const wrong = await sb.cove(['login', '-u', 'alice', '--password-stdin', basic.host], { input: 'nope\n' });
  assert.equal(wrong.code, 125);
  assert.match(wrong.stderr, /\[E_REGISTRY_AUTH\]/);
  assert.equal(fs.existsSync(sb.authFile), false, 'rejected credentials are not saved');

  const ok = await sb.cove(['login', '-u', 'alice', '--password-stdin', basic.host], { input: 'wonderland\n' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Login Succeeded/);
  const saved = JSON.parse(fs.readFileSync(sb.authFile, 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(Buffer.from(saved.auths[basic.host]?.auth ?? '', 'base64').toString(), 'alice:wonderland');
  assert.equal(fs.statSync(sb.authFile).mode & 0o777, 0o600);

  const pulled = await sb.cove(['pull', ref]);
  assert.equal(pulled.code, 0, pulled.stderr);

  const out = await sb.cove(['logout', basic.host]);
  assert.equal(out.code, 0, out.stderr);
  await rmi(ref);
  const again = await sb.cove(['pull', ref]);
  assert.match(again.stderr, /\[E_REGISTRY_AUTH\]/);
});

test("credentials from docker's config.json, and from a credential helper", async () => {
  const ref = `${basic.host}/private/app:v1`;
  const dockerDir = sb.env.DOCKER_CONFIG as string;
  fs.mkdirSync(dockerDir, { recursive: true });
  fs.writeFileSync(path.join(dockerDir, 'config.json'), JSON.stringify({ auths: { [`http://${basic.host}`]: { auth: Buffer.from('alice:wonderland').toString('base64') } } }));
  try {
    const r = await sb.cove(['pull', ref]);
    assert.equal(r.code, 0, r.stderr);
    await rmi(ref);

    const bin = path.join(sb.home, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'docker-credential-covetest'), '#!/bin/sh\nread server\nprintf \'{"ServerURL":"%s","Username":"alice","Secret":"wonderland"}\' "$server"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dockerDir, 'config.json'), JSON.stringify({ credHelpers: { [basic.host]: 'covetest' } }));
    const oldPath = sb.env.PATH;
    sb.env.PATH = `${bin}:${oldPath}`;
    try {
      const h = await sb.cove(['pull', ref]);
      assert.equal(h.code, 0, h.stderr);
    } finally {
      sb.env.PATH = oldPath;
    }
  } finally {
    fs.rmSync(path.join(dockerDir, 'config.json'), { force: true });
    await rmi(ref);
  }
});

test('TLS with a test CA: untrusted is E_REGISTRY_TLS; certs.d makes it trusted; token auth with login', async () => {
  const ref = `${tokenTls.host}/private/app:v1`;
  const untrusted = await sb.cove(['pull', ref]);
  assert.equal(untrusted.code, 125);
  assert.match(untrusted.stderr, /not trusted.*certs\.d.*\[E_REGISTRY_TLS\]/);

  sb.trustCa(tokenTls.host, tokenTls.ca?.caCert as string);
  const anon = await sb.cove(['pull', ref]);
  assert.match(anon.stderr, /\[E_REGISTRY_AUTH\]/, 'token server refuses anonymous pulls');

  const login = await sb.cove(['login', '-u', 'alice', '--password-stdin', tokenTls.host], { input: 'wonderland' });
  assert.equal(login.code, 0, login.stderr);
  const r = await sb.cove(['pull', ref]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(tokenTls.token?.requests.some((q) => q.user === 'alice' && q.scopes.includes('repository:private/app:pull')));
  await rmi(ref);
});

test('--tls-verify=false pulls from a registry whose CA is not trusted', async () => {
  const ref = `${tokenTls.host}/private/app:v1`;
  fs.rmSync(path.join(sb.configHome, 'containers', 'certs.d'), { recursive: true, force: true });
  const r = await sb.cove(['pull', '--tls-verify=false', ref]);
  assert.equal(r.code, 0, r.stderr);
  await rmi(ref);
});

test('a token that expires mid-pull (401) is renewed once and the pull completes', async () => {
  const ref = `${proxy.host}/public/app:v1`;
  proxy.rules.push({ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'unauthorized' }, times: 1 });
  const before = tokenPlain.token?.requests.length ?? 0;
  const r = await sb.cove(['pull', ref]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(proxy.log.filter((e) => e.fault === 'unauthorized').length, 1);
  assert.ok((tokenPlain.token?.requests.length ?? 0) - before >= 2, 'a second token was fetched');
  const blobGets = proxy.log.filter((e) => /\/blobs\//.test(e.path));
  assert.ok(blobGets.every((e) => e.authorization), 'every blob request carried a token');
});
