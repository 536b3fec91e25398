import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowControl } from './flow-control.js';

function make(): { fc: FlowControl; log: string[] } {
  const log: string[] = [];
  const fc = new FlowControl({ high: 100, low: 20, pause: () => log.push('pause'), resume: () => log.push('resume') });
  return { fc, log };
}

test('pauses above the high mark and resumes only below the low mark', () => {
  const { fc, log } = make();
  fc.onSent(60);
  fc.onSent(40);
  assert.deepEqual(log, [], 'exactly at high is fine');
  fc.onSent(1);
  assert.deepEqual(log, ['pause']);
  fc.onSent(50);
  assert.deepEqual(log, ['pause'], 'pause once');
  fc.onAck(100);
  assert.equal(fc.inFlight, 51);
  assert.deepEqual(log, ['pause'], 'between the marks stays paused (hysteresis)');
  fc.onAck(40);
  assert.deepEqual(log, ['pause', 'resume']);
  assert.equal(fc.isPaused, false);
});

test('the transport send buffer counts as pressure too', () => {
  const { fc, log } = make();
  fc.onQueued(500);
  assert.deepEqual(log, ['pause']);
  fc.onQueued(10);
  assert.deepEqual(log, ['pause', 'resume']);
});

test('acks beyond what was sent cannot make room for a flood', () => {
  const { fc, log } = make();
  fc.onAck(10_000);
  fc.onSent(101);
  assert.deepEqual(log, ['pause']);
  assert.throws(() => new FlowControl({ high: 1, low: 1, pause() {}, resume() {} }));
});
