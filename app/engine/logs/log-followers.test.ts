import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogLine } from '../../api/contract.js';
import { takeCompleteRecords } from './cri-tail.js';
import { LogFollowers } from './log-followers.js';

const rec = (text: string, tag = 'F', stream = 'stdout'): string => `2024-01-01T00:00:00.000000000Z ${stream} ${tag} ${text}\n`;

test('takeCompleteRecords holds back an unterminated line and trailing partial records', () => {
  const r = takeCompleteRecords(rec('one') + rec('two-a', 'P') + '2024-01-01T00:00:00Z stdout F tw');
  assert.deepEqual(r.lines.map((l) => l.text), ['one']);
  const next = takeCompleteRecords(r.rest + 'o-b\n');
  assert.deepEqual(next.lines.map((l) => l.text), ['two-atwo-b']);
  assert.equal(next.rest, '');
});

function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out: ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

test('follow: existing tail now, appended lines as events, across a rotation, ended on removal', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-logs-'));
  const log = path.join(dir, 'container.log');
  fs.writeFileSync(log, rec('a') + rec('b') + rec('c'));
  const got: LogLine[] = [];
  let ended = false;
  const followers = new LogFollowers({ locate: async () => ({ id: 'x', logPath: log }) });
  try {
    const first = await followers.start('x');
    first.onLines((lines, end) => {
      got.push(...lines);
      if (end) ended = true;
    });
    assert.deepEqual(first.initial(2).map((l) => l.text), ['b', 'c']);
    fs.appendFileSync(log, rec('d') + rec('e-', 'P'));
    await until(() => got.length === 1, 'line d');
    fs.appendFileSync(log, rec('f'));
    await until(() => got.length === 2, 'joined partial');
    assert.deepEqual(got.map((l) => l.text), ['d', 'e-f']);
    // The monitor's rotation: rename to .1 after a last write, then a new file.
    fs.appendFileSync(log, rec('g'));
    fs.renameSync(log, `${log}.1`);
    fs.writeFileSync(log, rec('h'));
    await until(() => got.length === 4, 'lines across rotation');
    assert.deepEqual(got.slice(2).map((l) => l.text), ['g', 'h']);
    fs.rmSync(dir, { recursive: true });
    await until(() => ended, 'end on removal');
    assert.equal(followers.size, 0);
  } finally {
    followers.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('close stops events', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-logs-'));
  const log = path.join(dir, 'container.log');
  let events = 0;
  const followers = new LogFollowers({ locate: async () => ({ id: 'x', logPath: log }) });
  try {
    const follow = await followers.start('x');
    follow.onLines(() => events++);
    assert.deepEqual(follow.initial(), []);
    follow.close();
    assert.equal(followers.size, 0);
    fs.writeFileSync(log, rec('late'));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(events, 0);
  } finally {
    followers.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
