import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateToken, parseTcpAddress, presentsToken, TOKEN_FILE } from './tcp-access.js';

test('--tcp takes a loopback address and port only', () => {
  assert.deepEqual(parseTcpAddress('127.0.0.1:2375'), { host: '127.0.0.1', port: 2375 });
  assert.deepEqual(parseTcpAddress('127.0.0.9:0'), { host: '127.0.0.9', port: 0 });
  assert.deepEqual(parseTcpAddress('[::1]:2375'), { host: '::1', port: 2375 });
  for (const bad of ['0.0.0.0:2375', '192.168.1.5:2375', '[::]:2375', '[::ffff:10.0.0.1]:1', 'localhost:2375', 'example.com:2375']) {
    assert.throws(() => parseTcpAddress(bad), /refusing --tcp .*only served on a loopback address/, bad);
  }
  for (const bad of ['127.0.0.1', '127.0.0.1:', '127.0.0.1:70000', ':2375', '::1:2375', '127.0.0.1:23a', '']) {
    assert.throws(() => parseTcpAddress(bad), /invalid --tcp .*expected 127\.0\.0\.1:PORT/, bad);
  }
});

test('the token file is 0600, kept across restarts, and replaced when others could read it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-tcp-token-'));
  try {
    const first = loadOrCreateToken(dir);
    assert.equal(first.file, path.join(dir, TOKEN_FILE));
    assert.equal(fs.statSync(first.file).mode & 0o777, 0o600);
    assert.equal(loadOrCreateToken(dir).token, first.token);
    fs.chmodSync(first.file, 0o644);
    const replaced = loadOrCreateToken(dir);
    assert.notEqual(replaced.token, first.token);
    assert.equal(fs.statSync(replaced.file).mode & 0o777, 0o600);
    fs.rmSync(replaced.file);
    fs.symlinkSync('/etc/hostname', replaced.file);
    const again = loadOrCreateToken(dir);
    assert.ok(fs.lstatSync(again.file).isFile());
    assert.deepEqual(fs.readdirSync(dir), [TOKEN_FILE]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a request presents the token only as Authorization: Bearer, exactly', () => {
  const token = 'a'.repeat(43);
  assert.equal(presentsToken(`Bearer ${token}`, token), true);
  assert.equal(presentsToken(`bearer ${token}`, token), true);
  for (const bad of [undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, 'Bearer ']) assert.equal(presentsToken(bad, token), false, String(bad));
});
