import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCgroupUsage } from './cgroup-reader.js';
import { parseIo, parseNetDev, parseStat } from './proc-reader.js';
import { StatsRing } from './stats-ring.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'cgroup-v2');

test('cgroup v2: usage minus inactive_file, limit, pids, io summed over devices', () => {
  const u = readCgroupUsage(path.join(fixtures, 'cove-abc'));
  assert.ok(u);
  assert.equal(u.cpuSeconds, 2.5);
  assert.equal(u.memoryBytes, 73400320 - 10485760);
  assert.equal(u.memoryLimitBytes, 134217728);
  assert.equal(u.pids, 7);
  assert.equal(u.blockReadBytes, 5096);
  assert.equal(u.blockWriteBytes, 8192);
  const unlimited = readCgroupUsage(path.join(fixtures, 'cove-unlimited'));
  assert.equal(unlimited?.memoryLimitBytes, null);
  assert.equal(readCgroupUsage(path.join(fixtures, 'missing')), null);
});

test('/proc parsers: stat with spaces in comm, net/dev without lo, io', () => {
  const stat = '4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 1 0 98765 1000000 300 18446744073709551615';
  const s = parseStat(stat);
  assert.equal(s?.comm, 'my (odd) cmd');
  assert.equal(s?.ppid, 1);
  assert.equal(s?.cpuTicks, 200);
  assert.equal(s?.reapedChildTicks, 10);
  assert.equal(s?.startTicks, 98765);
  assert.equal(s?.rssPages, 300);
  const dev = 'Inter-|   Receive\n face |bytes packets\n    lo: 500 5 0 0 0 0 0 0 500 5 0 0 0 0 0 0\n  tap0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n';
  assert.deepEqual(parseNetDev(dev), { rx: 1000, tx: 2000 });
  assert.deepEqual(parseIo('rchar: 1\nwchar: 2\nread_bytes: 4096\nwrite_bytes: 8192\n'), { read: 4096, write: 8192 });
});

test('the history ring keeps the newest samples in order', () => {
  const ring = new StatsRing(3);
  const mk = (i: number) => ({ id: 'x', time: new Date(1000 * i).toISOString(), cpuPercent: i, memoryBytes: 0, memoryLimitBytes: 0, pids: 0, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0, source: 'proc' as const });
  for (let i = 1; i <= 5; i++) ring.push(mk(i));
  assert.deepEqual(ring.list().map((s) => s.cpuPercent), [3, 4, 5]);
  assert.equal(ring.latest()?.cpuPercent, 5);
  assert.deepEqual(ring.list(4000).map((s) => s.cpuPercent), [4, 5]);
});
