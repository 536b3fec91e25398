import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOptionsFromCreate } from './docker-create.js';
import { dockerEvent } from './system-routes.js';

test("create's Healthcheck becomes the run options' healthcheck (docker's names, nanoseconds)", () => {
  const opts = runOptionsFromCreate({ Image: 'busybox', Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 1e9, Timeout: 0, Retries: 2 } }, null);
  assert.deepEqual(opts.healthcheck, { test: ['CMD-SHELL', 'true'], intervalNs: 1e9, retries: 2 });
  assert.deepEqual(runOptionsFromCreate({ Image: 'busybox', Healthcheck: { Test: ['NONE'] } }, null).healthcheck, { test: ['NONE'] });
  assert.deepEqual(runOptionsFromCreate({ Image: 'busybox', Healthcheck: { Interval: 5e8 } }, null).healthcheck, { test: [], intervalNs: 5e8 }, "timings only: the image's test");
  assert.equal(runOptionsFromCreate({ Image: 'busybox', Healthcheck: null }, null).healthcheck, undefined);
  assert.throws(() => runOptionsFromCreate({ Image: 'busybox', Healthcheck: { Test: 'true' } }, null), /Test must be a list of strings/);
  assert.throws(() => runOptionsFromCreate({ Image: 'busybox', Healthcheck: { Test: ['CMD', 'x'], Retries: -1 } }, null), /Retries must be a non-negative integer/);
});

test('a health_status event carries the new status in its action, as docker names it', () => {
  const ev = dockerEvent({ type: 'container', action: 'health_status', id: 'abc', time: '2026-01-01T00:00:00.000Z', health: 'healthy' });
  assert.equal(ev?.Action, 'health_status: healthy');
  assert.equal(ev?.status, 'health_status: healthy');
  assert.equal(dockerEvent({ type: 'container', action: 'remove', id: 'abc', time: '2026-01-01T00:00:00.000Z' })?.Action, 'destroy');
});
