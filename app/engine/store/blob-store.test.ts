import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from './blob-store.js';
import { EngineError } from '../errors.js';
import { sha256Of } from '../digest.js';

async function store() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-test-'));
  const s = new BlobStore(home, path.join(home, 'tmp'));
  await s.init();
  return { home, s, done: () => fs.rmSync(home, { recursive: true, force: true }) };
}

test('a blob is stored under its digest and read back verified', async () => {
  const { s, done } = await store();
  try {
    const data = Buffer.from('hello blob');
    const { digest, size } = await s.putBytes(data, sha256Of(data));
    assert.equal(digest, sha256Of(data));
    assert.equal(size, data.length);
    assert.equal(await s.has(digest), true);
    assert.deepEqual(await s.readVerified(digest), data);
    assert.deepEqual(await s.list(), [digest]);
  } finally {
    done();
  }
});

test('a digest mismatch is refused and leaves no blob or temp file', async () => {
  const { home, s, done } = await store();
  try {
    const wrong = sha256Of('something else');
    await assert.rejects(s.putBytes(Buffer.from('actual'), wrong, 'layer 1'), (err: unknown) => err instanceof EngineError && err.code === 'E_DIGEST_MISMATCH' && /layer 1/.test(err.message));
    assert.deepEqual(await s.list(), []);
    assert.deepEqual(fs.readdirSync(path.join(home, 'tmp')), []);
  } finally {
    done();
  }
});

test('a blob corrupted on disk is reported, not returned', async () => {
  const { s, done } = await store();
  try {
    const { digest } = await s.putBytes(Buffer.from('{"a":1}'));
    fs.writeFileSync(s.path(digest), '{"a":2}');
    await assert.rejects(s.readVerified(digest), (err: unknown) => err instanceof EngineError && err.code === 'E_STORE_CORRUPT');
  } finally {
    done();
  }
});

test('digests that are not sha256 hex never become paths', async () => {
  const { s, done } = await store();
  try {
    assert.throws(() => s.path('sha256:../../etc/passwd'), (err: unknown) => err instanceof EngineError && err.code === 'E_MANIFEST_INVALID');
  } finally {
    done();
  }
});
