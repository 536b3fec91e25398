import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskProgress } from '../api/contract.js';
import { progressRenderer } from './progress-bars.js';

const d1 = 'sha256:' + 'a'.repeat(64);
const d2 = 'sha256:' + 'b'.repeat(64);

function task(l1: Partial<TaskProgress['layers'][number]>, l2: Partial<TaskProgress['layers'][number]>): TaskProgress {
  const layers = [
    { digest: d1, size: 2_000_000, current: 0, status: 'waiting' as const, ...l1 },
    { digest: d2, size: 1000, current: 0, status: 'waiting' as const, ...l2 },
  ];
  const current = layers.reduce((s, l) => s + l.current, 0);
  return { id: 't', kind: 'pull', title: 'x', state: 'running', layers, current, total: 2_001_000, etaSeconds: 3, startedAt: '', finishedAt: null, error: null };
}

test('plain output: one line per layer status change, no escape codes', () => {
  let out = '';
  const r = progressRenderer((t) => (out += t), false);
  r.update(task({}, {}));
  r.update(task({ status: 'downloading', current: 1000 }, {}));
  r.update(task({ status: 'downloading', current: 5000 }, {}));
  r.update(task({ status: 'done', current: 2_000_000 }, { status: 'exists', current: 1000 }));
  assert.equal(out, `aaaaaaaaaaaa: Waiting\nbbbbbbbbbbbb: Waiting\naaaaaaaaaaaa: Downloading 1.00kB/2.00MB\naaaaaaaaaaaa: Pull complete\nbbbbbbbbbbbb: Already exists\n`);
  assert.ok(!out.includes('\x1b'), 'no escape codes');
});

test('terminal output: bars redrawn in place with a total and an ETA', () => {
  let out = '';
  const r = progressRenderer((t) => (out += t), true);
  r.update(task({ status: 'downloading', current: 1_000_000 }, {}));
  assert.match(out, /aaaaaaaaaaaa: Downloading \[=+>\s+\] 1\.00MB\/2\.00MB/);
  assert.match(out, /Total \[.*\] 1\.00MB\/2\.00MB ETA 3s/);
  const before = out.length;
  r.update(task({ status: 'done', current: 2_000_000 }, { status: 'done', current: 1000 }));
  assert.ok(out.slice(before).startsWith('\x1b[3A'), 'moves up over the previous frame');
});
