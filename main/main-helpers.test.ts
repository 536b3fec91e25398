import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerSummary, TaskProgress } from '../app/api/contract.js';
import { autostartEntry, autostartFile, linuxAutostartEnabled, setLinuxAutostart } from './login-item.js';
import { exitNotifications, taskNotification } from './notifications.js';
import { parseWindowState, placeWindow, readWindowState, writeWindowState } from './window-state.js';

const screen = { x: 0, y: 0, width: 1920, height: 1050 };

test('window placement keeps saved bounds on a present display, fits them, or falls back to the size', () => {
  assert.deepEqual(placeWindow(null, [screen]), { bounds: { width: 1180, height: 760 }, maximized: false });
  assert.deepEqual(placeWindow({ bounds: { x: 100, y: 50, width: 900, height: 600 }, maximized: true }, [screen]), { bounds: { x: 100, y: 50, width: 900, height: 600 }, maximized: true });
  // Hanging off the right edge: pulled back in.
  assert.deepEqual(placeWindow({ bounds: { x: 1800, y: 50, width: 900, height: 600 }, maximized: false }, [screen]).bounds, { x: 1020, y: 50, width: 900, height: 600 });
  // Saved on a second monitor that is gone: size only, Electron centres it.
  assert.deepEqual(placeWindow({ bounds: { x: 3000, y: 0, width: 900, height: 600 }, maximized: false }, [screen]).bounds, { width: 900, height: 600 });
  // Too small: the minimum size.
  assert.deepEqual(placeWindow({ bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false }, [screen]).bounds, { x: 0, y: 0, width: 760, height: 480 });
});

test('window state survives a round trip and garbage reads as none', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-ws-'));
  try {
    const file = path.join(dir, 'sub', 'window.json');
    assert.equal(readWindowState(file), null);
    writeWindowState(file, { bounds: { x: 1, y: 2, width: 800, height: 600 }, maximized: false });
    assert.deepEqual(readWindowState(file), { bounds: { x: 1, y: 2, width: 800, height: 600 }, maximized: false });
    assert.equal(parseWindowState('{"bounds":{"x":"1"}}'), null);
    assert.equal(parseWindowState('nope'), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('start at login writes and removes an XDG autostart entry with quoted Exec', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-auto-'));
  const env = { XDG_CONFIG_HOME: dir };
  try {
    assert.equal(autostartFile(env), path.join(dir, 'autostart', 'cove.desktop'));
    assert.match(autostartEntry(['/opt/Cove App/cove']), /^Exec="\/opt\/Cove App\/cove" --hidden$/m);
    setLinuxAutostart(true, ['/usr/bin/cove'], env);
    assert.equal(linuxAutostartEnabled(env), true);
    assert.match(fs.readFileSync(autostartFile(env), 'utf8'), /^Exec=\/usr\/bin\/cove --hidden$/m);
    setLinuxAutostart(false, ['/usr/bin/cove'], env);
    assert.equal(linuxAutostartEnabled(env), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const summary = (id: string, state: ContainerSummary['state'], exitCode: number | null): ContainerSummary => ({
  id, name: `n-${id}`, image: 'busybox', imageId: 'sha256:x', command: [], state, status: '', exitCode, pid: null, createdAt: '', startedAt: null, finishedAt: null,
});

test('notifications: non-zero exits of containers that were running, finished and failed pulls', () => {
  const before = [summary('a', 'running', null), summary('b', 'running', null), summary('c', 'exited', 1)];
  const after = [summary('a', 'exited', 2), summary('b', 'exited', 0), summary('c', 'exited', 1)];
  assert.deepEqual(exitNotifications(before, after), [{ title: 'n-a exited with code 2', body: 'busybox', hash: '#/containers/a/logs' }]);
  const task = (state: TaskProgress['state']): TaskProgress => ({ id: 't', kind: 'pull', title: 'busybox:latest', state, layers: [], current: 0, total: null, etaSeconds: null, startedAt: '', finishedAt: null, error: state === 'failed' ? { code: 'E_REGISTRY_UNREACHABLE', message: 'down' } : null });
  assert.equal(taskNotification({ type: 'task', task: task('running') }), null);
  assert.deepEqual(taskNotification({ type: 'task', task: task('done') }), { title: 'Pull finished', body: 'busybox:latest', hash: '#/images' });
  assert.match(taskNotification({ type: 'task', task: task('failed') })?.body ?? '', /E_REGISTRY_UNREACHABLE/);
});
