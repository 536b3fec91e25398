import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TERMINAL_FLOW } from '../api/contract.js';
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

test('with the contract marks a page that acks every ackEvery parsed bytes never stalls a paused pty', () => {
  // The page keeps up to ackEvery - 1 parsed bytes unacknowledged; the pty
  // resumes only under the low mark, so the marks are only stall-free if
  // that remainder is below it.
  assert.ok(TERMINAL_FLOW.ackEvery < TERMINAL_FLOW.low);
  let paused = false;
  const fc = new FlowControl({ high: TERMINAL_FLOW.high, low: TERMINAL_FLOW.low, pause: () => (paused = true), resume: () => (paused = false) });
  let unacked = 0;
  let pauses = 0;
  // Frames of odd sizes, as the bridge's batches are; the page parses each and acks in ackEvery steps.
  for (let frame = 0; frame < 5000; frame++) {
    if (!paused) {
      fc.onSent(1000 + ((frame * 7919) % 250_000));
      if (paused) pauses++;
      continue;
    }
    // Paused: the page works through what is in flight, acking as it goes.
    const parsed = Math.min(fc.inFlight - unacked, 60_000);
    unacked += parsed;
    if (unacked >= TERMINAL_FLOW.ackEvery) {
      fc.onAck(unacked);
      unacked = 0;
    }
    assert.ok(parsed > 0 || !paused, `stalled: ${fc.inFlight} bytes in flight, ${unacked} parsed but unacknowledged`);
  }
  assert.ok(pauses > 10, 'the flood was paused and resumed many times');
});
