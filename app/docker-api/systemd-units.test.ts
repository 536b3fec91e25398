import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activatedSocketFd, installUnits, unitFiles } from './systemd-units.js';

test('the socket unit listens on the runtime dir docker.sock, 0600 in a 0700 directory', () => {
  const { socket, service } = unitFiles(['/usr/bin/node', '/opt/cove app/dist/cove.cjs'], 300);
  assert.match(socket, /^ListenStream=%t\/cove\/docker\.sock$/m);
  assert.match(socket, /^SocketMode=0600$/m);
  assert.match(socket, /^DirectoryMode=0700$/m);
  assert.match(service, /^ExecStart=\/usr\/bin\/node "\/opt\/cove app\/dist\/cove\.cjs" system service --timeout 300$/m);
});

test('installUnits writes both files atomically under systemd/user', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-units-'));
  try {
    const written = installUnits(['/usr/bin/cove'], 60, home);
    assert.deepEqual(written.map((p) => path.basename(p)), ['cove.socket', 'cove.service']);
    assert.deepEqual(fs.readdirSync(path.join(home, 'systemd', 'user')).sort(), ['cove.service', 'cove.socket']);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('a passed socket is used only when LISTEN_PID names this process', () => {
  assert.equal(activatedSocketFd({ LISTEN_PID: String(process.pid), LISTEN_FDS: '1' }), 3);
  assert.equal(activatedSocketFd({ LISTEN_PID: String(process.pid + 1), LISTEN_FDS: '1' }), null);
  assert.equal(activatedSocketFd({}), null);
});
