import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveHealthcheck, healthMonitorArgs, imageHealthcheck, probeArgv, HEALTH_DEFAULTS } from './health-config.js';
import { healthSuffix, parseHealth } from './health-state.js';

const image = { test: ['CMD', 'check', '--fast'], intervalNs: 10e9, retries: 5 };

test("no healthcheck asked keeps the image's, with docker's defaults for what neither sets", () => {
  const h = effectiveHealthcheck(image, undefined, undefined);
  assert.deepEqual(h, { test: ['CMD', 'check', '--fast'], intervalNs: 10e9, timeoutNs: 30e9, startPeriodNs: 0, startIntervalNs: 5e9, retries: 5, shell: ['/bin/sh', '-c'] });
  assert.equal(effectiveHealthcheck(undefined, undefined, undefined), null, 'neither: none');
  assert.deepEqual(HEALTH_DEFAULTS, { intervalNs: 30e9, timeoutNs: 30e9, startPeriodNs: 0, startIntervalNs: 5e9, retries: 3 });
});

test("docker's merge: an empty test keeps the image's test, unset fields take the image's values; NONE disables", () => {
  const timings = effectiveHealthcheck(image, { test: [], timeoutNs: 2e9 }, undefined);
  assert.deepEqual(timings?.test, ['CMD', 'check', '--fast']);
  assert.equal(timings?.timeoutNs, 2e9);
  assert.equal(timings?.intervalNs, 10e9, "the image's interval");
  assert.equal(timings?.retries, 5, "the image's retries");
  const own = effectiveHealthcheck(image, { test: ['CMD-SHELL', 'curl -f localhost'], intervalNs: 1e9 }, ['/bin/bash', '-c']);
  assert.deepEqual(own?.test, ['CMD-SHELL', 'curl -f localhost']);
  assert.equal(own?.intervalNs, 1e9);
  assert.deepEqual(probeArgv(own!), ['/bin/bash', '-c', 'curl -f localhost'], "CMD-SHELL runs through the image's SHELL");
  assert.deepEqual(probeArgv(timings!), ['check', '--fast'], 'CMD runs as given');
  assert.equal(effectiveHealthcheck(image, { test: ['NONE'] }, undefined), null);
  assert.equal(effectiveHealthcheck({ test: ['NONE'] }, undefined, undefined), null, 'HEALTHCHECK NONE');
  assert.equal(effectiveHealthcheck(undefined, { test: [], intervalNs: 1e9 }, undefined), null, 'timings without any test');
});

test('bad healthchecks are refused with what is wrong', () => {
  assert.throws(() => effectiveHealthcheck(undefined, { test: ['CMD'] }, undefined), /must be \["NONE"\], \["CMD", command/);
  assert.throws(() => effectiveHealthcheck(undefined, { test: ['SHELL', 'x'] }, undefined), /must be/);
  assert.throws(() => effectiveHealthcheck(undefined, { test: ['CMD-SHELL', 'x', 'y'] }, undefined), /must be/);
  assert.throws(() => effectiveHealthcheck(undefined, { test: ['CMD', 'x'], intervalNs: 1000 }, undefined), /interval must be at least 1ms/);
  assert.throws(() => effectiveHealthcheck(undefined, { test: ['CMD', 'x'], retries: -1 }, undefined), /retries must be a whole number/);
  assert.throws(() => effectiveHealthcheck({ test: ['CMD'] }, undefined, undefined), /the image: the healthcheck test/);
});

test("the image config's Healthcheck is read defensively", () => {
  assert.deepEqual(imageHealthcheck({ Test: ['CMD-SHELL', 'true'], Interval: 5e8, Retries: 2, Timeout: 'x' }), { test: ['CMD-SHELL', 'true'], intervalNs: 5e8, retries: 2 });
  assert.equal(imageHealthcheck({ Test: 'true' }), undefined);
  assert.equal(imageHealthcheck(null), undefined);
});

test("the monitor's flags, in milliseconds", () => {
  const h = effectiveHealthcheck(undefined, { test: ['CMD-SHELL', 'test -e /ok'], intervalNs: 2.5e8 }, undefined)!;
  assert.deepEqual(healthMonitorArgs(h, '/c/health.json', '/c/paused'), [
    '--health-state', '/c/health.json', '--health-paused-file', '/c/paused',
    '--health-cmd', '/bin/sh', '--health-cmd', '-c', '--health-cmd', 'test -e /ok',
    '--health-interval-ms', '250', '--health-timeout-ms', '30000', '--health-start-period-ms', '0', '--health-start-interval-ms', '5000', '--health-retries', '3',
  ]);
});

test("the prober's file is read field by field; ps shows docker's suffix", () => {
  assert.deepEqual(parseHealth('{"Status":"healthy","FailingStreak":0,"Log":[{"Start":"a","End":"b","ExitCode":0,"Output":"ok"},{"Start":1}]}'), {
    Status: 'healthy',
    FailingStreak: 0,
    Log: [{ Start: 'a', End: 'b', ExitCode: 0, Output: 'ok' }],
  });
  assert.equal(parseHealth('{"Status":"fine"}'), undefined);
  assert.equal(parseHealth('{"Status":"heal'), undefined, 'torn');
  assert.equal(healthSuffix('starting'), ' (health: starting)');
  assert.equal(healthSuffix('healthy'), ' (healthy)');
  assert.equal(healthSuffix('unhealthy'), ' (unhealthy)');
});
