import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord, ContainerStatus } from './container-store.js';
import { isRestarting } from './restart-policy.js';

const rec = (name: string, extra: Partial<ContainerRecord> = {}): ContainerRecord =>
  ({ restartCount: 2, stoppedByUser: false, config: { restart: { name, maxRetries: 0 } }, ...extra }) as unknown as ContainerRecord;
const exited = (finishedAt: string, exitCode = 3): ContainerStatus => ({ state: 'exited', pid: null, startedAt: finishedAt, finishedAt, exitCode });

test('restarting: exited, the policy brings it back, and within its back-off (plus a grace); not when stopped by the user or overdue', () => {
  const now = Date.parse('2026-01-01T00:00:10Z');
  assert.equal(isRestarting(rec('always'), exited('2026-01-01T00:00:09Z'), now), true);
  assert.equal(isRestarting(rec('on-failure'), exited('2026-01-01T00:00:09Z'), now), true);
  assert.equal(isRestarting(rec('on-failure'), exited('2026-01-01T00:00:09Z', 0), now), false, 'on-failure does not restart a clean exit');
  assert.equal(isRestarting(rec('no'), exited('2026-01-01T00:00:09Z'), now), false);
  assert.equal(isRestarting(rec('always', { stoppedByUser: true }), exited('2026-01-01T00:00:09Z'), now), false);
  assert.equal(isRestarting(rec('always'), exited('2025-12-31T00:00:00Z'), now), false, 'overdue: nothing is bringing it back');
  assert.equal(isRestarting(rec('always'), { state: 'running', pid: 1, startedAt: 'x', finishedAt: null, exitCode: null }, now), false);
});
