import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../errors.js';
import { parseChallenge } from './auth.js';
import { findCredentials, removeCredentials, saveCredentials, authFiles } from './credentials.js';
import { parseManifest } from './manifest.js';
import { parsePlatform, selectPlatform } from './platform.js';
import { loadRegistriesConf, registryEntryFor, isLoopbackRegistry } from './registries-conf.js';
import { expandShortName } from '../reference.js';
import { sha256Of } from '../digest.js';

const d = (s: string): string => sha256Of(s);
const isCode = (code: string) => (err: unknown) => err instanceof EngineError && err.code === code;

test('WWW-Authenticate challenges parse with quoted commas and escapes', () => {
  const c = parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"');
  assert.deepEqual(c, { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull,push' } });
  assert.deepEqual(parseChallenge('Basic realm="x \\"y\\""'), { scheme: 'basic', params: { realm: 'x "y"' } });
  assert.equal(parseChallenge('Negotiate abc'), null);
  assert.equal(parseChallenge(undefined), null);
});

test('platforms: normalised, matched by variant, attestations skipped, a clear error otherwise', () => {
  assert.deepEqual(parsePlatform('linux/aarch64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.throws(() => parsePlatform('linux'), isCode('E_INVALID_ARGUMENT'));
  const m = (arch: string, variant?: string, extra = {}) => ({ digest: d(arch + (variant ?? '')), size: 1, platform: { os: 'linux', architecture: arch, ...(variant ? { variant } : {}) }, ...extra });
  const list = [
    { digest: d('att'), size: 1, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
    m('arm', 'v6'),
    m('arm', 'v7'),
    m('arm64'),
    m('amd64'),
  ];
  assert.equal(selectPlatform(list, parsePlatform('linux/arm/v7')).digest, d('armv7'));
  assert.equal(selectPlatform(list, parsePlatform('linux/arm64/v8')).digest, d('arm64'), 'an entry without variant matches arm64/v8');
  assert.equal(selectPlatform(list, parsePlatform('linux/amd64')).digest, d('amd64'));
  assert.throws(() => selectPlatform(list, parsePlatform('linux/riscv64')), (err: unknown) => isCode('E_PLATFORM_NOT_FOUND')(err) && /it has: linux\/arm\/v6, linux\/arm\/v7, linux\/arm64, linux\/amd64/.test((err as Error).message));
});

test('manifests: index, image, schema 1, artifacts and unknown layer types', () => {
  const cfg = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 2 };
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: d('l'), size: 3 };
  const img = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [layer] }));
  assert.equal(parseManifest(img, undefined, 'm').kind, 'image');
  const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
  assert.equal(parseManifest(idx, 'application/vnd.docker.distribution.manifest.list.v2+json', 'm').kind, 'index');
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1,"fsLayers":[]}'), 'application/json', 'm'), isCode('E_MANIFEST_UNSUPPORTED'));
  assert.throws(() => parseManifest(Buffer.from('{}'), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'm'), isCode('E_MANIFEST_UNSUPPORTED'));
  const helm = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { ...cfg, mediaType: 'application/vnd.cncf.helm.config.v1+json' }, layers: [] }));
  assert.throws(() => parseManifest(helm, undefined, 'm'), (err: unknown) => isCode('E_MANIFEST_UNSUPPORTED')(err) && /artifact/.test((err as Error).message));
  const weird = Buffer.from(JSON.stringify({ schemaVersion: 2, config: cfg, layers: [{ ...layer, mediaType: 'application/x-weird' }] }));
  assert.throws(() => parseManifest(weird, undefined, 'm'), isCode('E_MANIFEST_UNSUPPORTED'));
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":2,"config":{"digest":"sha256:zz","size":1},"layers":[]}'), undefined, 'm'), isCode('E_MANIFEST_INVALID'));
  assert.throws(() => parseManifest(Buffer.from('nope'), undefined, 'm'), isCode('E_MANIFEST_INVALID'));
});

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'reg-unit-'));
}

test('registries.conf: v2 and v1 formats, drop-ins, aliases, insecure and blocked entries', () => {
  const dir = tmp();
  try {
    const conf = path.join(dir, 'registries.conf');
    fs.writeFileSync(
      conf,
      'unqualified-search-registries = ["quay.io", "docker.io"]\n[[registry]]\nlocation = "myreg:5000"\ninsecure = true\n[[registry]]\nprefix = "evil.io"\nlocation = "evil.io"\nblocked = true\n[aliases]\n"fedora" = "registry.fedoraproject.org/fedora"\n',
    );
    const c = loadRegistriesConf({ CONTAINERS_REGISTRIES_CONF: conf });
    assert.deepEqual(c.searchRegistries, ['quay.io', 'docker.io']);
    assert.equal(registryEntryFor(c, 'myreg:5000', 'a/b')?.insecure, true);
    assert.equal(registryEntryFor(c, 'evil.io', 'x')?.blocked, true);
    assert.deepEqual(expandShortName('fedora:39', c), ['registry.fedoraproject.org/fedora:39']);
    assert.deepEqual(expandShortName('busybox', c), ['quay.io/busybox:latest', 'docker.io/library/busybox:latest']);
    assert.deepEqual(expandShortName('ghcr.io/o/a:1', c), ['ghcr.io/o/a:1']);
    assert.deepEqual(expandShortName('busybox', { aliases: {}, searchRegistries: [] }), ['docker.io/library/busybox:latest'], 'docker.io when nothing is configured');

    fs.writeFileSync(conf, '[registries.search]\nregistries = ["r1.io"]\n[registries.insecure]\nregistries = ["r2.io"]\n');
    const v1 = loadRegistriesConf({ CONTAINERS_REGISTRIES_CONF: conf });
    assert.deepEqual(v1.searchRegistries, ['r1.io']);
    assert.equal(registryEntryFor(v1, 'r2.io', 'x')?.insecure, true);

    fs.writeFileSync(conf, 'this is = not [toml');
    assert.throws(() => loadRegistriesConf({ CONTAINERS_REGISTRIES_CONF: conf }), (err: unknown) => isCode('E_INVALID_ARGUMENT')(err) && /not valid TOML/.test((err as Error).message));
    assert.ok(isLoopbackRegistry('localhost:5000') && isLoopbackRegistry('127.0.0.1:1') && isLoopbackRegistry('[::1]:5000') && !isLoopbackRegistry('example.com'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('credentials: auth.json first, namespaced keys, docker legacy keys, save and remove', async () => {
  const dir = tmp();
  try {
    const env = { HOME: dir, REGISTRY_AUTH_FILE: path.join(dir, 'auth.json'), XDG_CONFIG_HOME: path.join(dir, 'cfg'), DOCKER_CONFIG: path.join(dir, 'docker') };
    assert.equal(authFiles(env)[0], env.REGISTRY_AUTH_FILE);
    fs.mkdirSync(env.DOCKER_CONFIG);
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    fs.writeFileSync(path.join(env.DOCKER_CONFIG, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') }, 'reg.io': { auth: b64('docker:pw') } } }));
    assert.deepEqual(await findCredentials('docker.io', 'library/busybox', env), { username: 'hubuser', password: 'hubpass' });
    assert.deepEqual(await findCredentials('reg.io', 'a/b', env), { username: 'docker', password: 'pw' });
    fs.writeFileSync(env.REGISTRY_AUTH_FILE, JSON.stringify({ auths: { 'reg.io/team': { auth: b64('team:tpw') }, 'reg.io': { auth: b64('auth:apw') } } }));
    assert.deepEqual(await findCredentials('reg.io', 'team/app', env), { username: 'team', password: 'tpw' }, 'the most specific key wins');
    assert.deepEqual(await findCredentials('reg.io', 'other/app', env), { username: 'auth', password: 'apw' }, 'auth.json before docker config');
    assert.equal(await findCredentials('none.io', 'x', env), undefined);

    await saveCredentials('new.io:5000', { username: 'u', password: 'p:with:colons' }, env);
    assert.deepEqual(await findCredentials('new.io:5000', 'x', env), { username: 'u', password: 'p:with:colons' });
    assert.equal(fs.statSync(env.REGISTRY_AUTH_FILE).mode & 0o777, 0o600);
    const removed = await removeCredentials('new.io:5000', env);
    assert.deepEqual(removed.removed, [env.REGISTRY_AUTH_FILE]);
    assert.equal(await findCredentials('new.io:5000', 'x', env), undefined);
    const hub = await removeCredentials('docker.io', env);
    assert.deepEqual(hub.elsewhere, [path.join(env.DOCKER_CONFIG, 'config.json')], "docker's own file is left to docker");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
