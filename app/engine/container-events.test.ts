import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerEventDeriver, actionsBetween, type ContainerSnapshot } from './container-events.js';

const snap = (state: ContainerSnapshot['state'], startedAt: string | null = 't1', name = 'web'): ContainerSnapshot => ({ state, name, startedAt });

test('a change is named after the difference: create, start, die, restart, pause, unpause, rename, remove', () => {
  assert.deepEqual(actionsBetween(undefined, snap('created', null)), ['create']);
  assert.deepEqual(actionsBetween(undefined, snap('running')), ['create', 'start']);
  assert.deepEqual(actionsBetween(snap('created', null), snap('running')), ['start']);
  assert.deepEqual(actionsBetween(snap('running'), snap('exited')), ['die'], 'stop is a die, not an update');
  assert.deepEqual(actionsBetween(snap('running'), { ...snap('exited'), oomKilled: true }), ['oom', 'die'], 'an OOM kill: oom before die, as docker');
  assert.deepEqual(actionsBetween({ ...snap('exited'), oomKilled: true }, { ...snap('exited'), oomKilled: true }), [], 'an old OOM kill is not news');
  assert.deepEqual(actionsBetween(snap('running', 't1'), snap('running', 't2')), ['die', 'start'], 'a restart');
  assert.deepEqual(actionsBetween(snap('exited', 't1'), snap('running', 't2')), ['start']);
  assert.deepEqual(actionsBetween(snap('running'), snap('paused')), ['pause']);
  assert.deepEqual(actionsBetween(snap('paused'), snap('running')), ['unpause']);
  assert.deepEqual(actionsBetween(snap('exited', 't1', 'a'), snap('exited', 't1', 'b')), ['rename']);
  assert.deepEqual(actionsBetween(snap('exited'), null), ['remove'], 'rm is a remove, not an update');
  assert.deepEqual(actionsBetween(snap('running'), null), ['die', 'remove']);
  assert.deepEqual(actionsBetween(snap('exited'), snap('exited')), [], 'nothing new: already reported');
  assert.deepEqual(actionsBetween(snap('created', null), snap('created', 't1')), [], 'half-way through a start');
  assert.deepEqual(actionsBetween(snap('created', null), snap('exited', 't1')), [], 'between two states that are no action');
});

test('the deriver remembers what it saw, so a change reported in-process is not reported twice', async () => {
  let current: ContainerSnapshot | null = snap('running');
  const d = new ContainerEventDeriver(async () => current);
  await d.prime(['c1']);
  current = snap('exited');
  assert.deepEqual(await d.derive('c1'), ['die']);
  assert.deepEqual(await d.derive('c1'), []);
  current = snap('running', 't9');
  await d.note('c1');
  assert.deepEqual(await d.derive('c1'), []);
  current = null;
  assert.deepEqual(await d.derive('c1'), ['die', 'remove'], 'removed while it ran (rm -f)');
  assert.deepEqual(await d.derive('c1'), [], 'a removal is reported once');
});

test('a container stopped while down between restarts is an update (its Restarting state ended)', () => {
  const down = { state: 'exited' as const, name: 'c', startedAt: 't1', restarting: true };
  assert.deepEqual(actionsBetween(down, { ...down, restarting: false }), ['update']);
  assert.deepEqual(actionsBetween(down, down), []);
});

test("a change of the healthcheck's verdict is a health_status; the reset to starting that a start is, is not", () => {
  const h = (health: ContainerSnapshot['health'], startedAt = 't1'): ContainerSnapshot => ({ ...snap('running', startedAt), ...(health ? { health } : {}) });
  assert.deepEqual(actionsBetween(h('starting'), h('healthy')), ['health_status']);
  assert.deepEqual(actionsBetween(h('healthy'), h('unhealthy')), ['health_status']);
  assert.deepEqual(actionsBetween(h('healthy'), h('healthy')), []);
  assert.deepEqual(actionsBetween(snap('exited'), h('starting', 't2')), ['start']);
  assert.deepEqual(actionsBetween(h('unhealthy', 't1'), h('starting', 't2')), ['die', 'start'], 'a restart resets it silently');
  assert.deepEqual(actionsBetween(snap('exited'), h('healthy', 't2')), ['start', 'health_status'], 'a verdict already reached when first seen');
});
