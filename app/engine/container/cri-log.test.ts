import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCriLog } from './cri-log.js';

test('full and partial records become lines per stream', () => {
  const text = [
    '2026-01-01T00:00:00.000000001Z stdout F hello world',
    '2026-01-01T00:00:00.000000002Z stderr P par',
    '2026-01-01T00:00:00.000000003Z stdout F ',
    '2026-01-01T00:00:00.000000004Z stderr F tial',
    'garbage line',
    '2026-01-01T00:00:00.000000005Z stdout P unfinished',
    '',
  ].join('\n');
  assert.deepEqual(parseCriLog(text), [
    { time: '2026-01-01T00:00:00.000000001Z', stream: 'stdout', text: 'hello world' },
    { time: '2026-01-01T00:00:00.000000003Z', stream: 'stdout', text: '' },
    { time: '2026-01-01T00:00:00.000000002Z', stream: 'stderr', text: 'partial' },
    { time: '2026-01-01T00:00:00.000000005Z', stream: 'stdout', text: 'unfinished' },
  ]);
});
