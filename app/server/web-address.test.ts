import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newWebToken, readWebAddress, saveWebAddress } from './web-address.js';

test('the web address round-trips 0600 and is refused when malformed or readable by others', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-webaddr-'));
  try {
    assert.equal(readWebAddress(dir), null);
    const address = { port: 45678, token: newWebToken() };
    saveWebAddress(dir, address);
    const file = path.join(dir, 'web-address.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readWebAddress(dir), address);
    fs.chmodSync(file, 0o644);
    assert.equal(readWebAddress(dir), null, 'a token others can read is not reused');
    fs.writeFileSync(file, '{"port": 99999, "token": "x"}', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    assert.equal(readWebAddress(dir), null);
    fs.writeFileSync(file, 'not json');
    assert.equal(readWebAddress(dir), null);
    saveWebAddress(dir, address);
    assert.deepEqual(readWebAddress(dir), address, 'saving replaces a bad file');
    assert.deepEqual(fs.readdirSync(dir), ['web-address.json'], 'no temp file left');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
