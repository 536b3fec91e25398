import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarReference, normalizeReference, parseReference } from './reference.js';
import { EngineError } from './errors.js';

test('short names normalise to docker.io/library with :latest', () => {
  assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeReference('user/app'), 'docker.io/user/app:latest');
  assert.equal(normalizeReference('index.docker.io/library/busybox:1.36'), 'docker.io/library/busybox:1.36');
});

test('a registry is recognised by a dot, a port or localhost', () => {
  assert.equal(normalizeReference('ghcr.io/org/app:1.2'), 'ghcr.io/org/app:1.2');
  assert.equal(normalizeReference('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizeReference('localhost/app'), 'localhost/app:latest');
  assert.equal(normalizeReference('127.0.0.1:5000/a/b/c:v1'), '127.0.0.1:5000/a/b/c:v1');
  assert.equal(parseReference('myhost:5000/app').domain, 'myhost:5000');
});

test('digests are kept and do not get a default tag', () => {
  const digest = 'sha256:' + 'a'.repeat(64);
  const ref = parseReference(`busybox@${digest}`);
  assert.equal(ref.tag, null);
  assert.equal(ref.digest, digest);
  assert.equal(normalizeReference(`busybox:1@${digest}`), `docker.io/library/busybox:1@${digest}`);
});

test('bad references give E_INVALID_REFERENCE with a reason', () => {
  for (const bad of ['', 'UPPER', 'a//b', 'busybox:-x', 'busybox@sha256:abc', 'a/b:', ':tag', 'bad host!/x']) {
    assert.throws(
      () => parseReference(bad),
      (err: unknown) => err instanceof EngineError && err.code === 'E_INVALID_REFERENCE' && err.message.includes('not a valid image reference'),
      bad,
    );
  }
  assert.throws(() => parseReference('Busybox'), /lowercase/);
});

test('familiar form strips docker.io/library', () => {
  assert.equal(familiarReference('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarReference('docker.io/user/app:1'), 'user/app:1');
  assert.equal(familiarReference('ghcr.io/x/y:1'), 'ghcr.io/x/y:1');
});
