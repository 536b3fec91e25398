import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disableInputTaskDeferral, type FeatureSwitches } from './input-deferral.js';

function switches(initial: Record<string, string>): FeatureSwitches & { values: Record<string, string> } {
  const values = { ...initial };
  return {
    values,
    getSwitchValue: (name) => values[name] ?? '',
    appendSwitch: (name, value) => {
      values[name] = value ?? '';
    },
  };
}

test('the input task deferral is disabled, alongside features already disabled, and only once', () => {
  const empty = switches({});
  disableInputTaskDeferral(empty);
  assert.equal(empty.values['disable-features'], 'DeferRendererTasksAfterInput');

  const other = switches({ 'disable-features': 'HardwareMediaKeyHandling, MediaRouter' });
  disableInputTaskDeferral(other);
  assert.equal(other.values['disable-features'], 'HardwareMediaKeyHandling,MediaRouter,DeferRendererTasksAfterInput');
  disableInputTaskDeferral(other);
  assert.equal(other.values['disable-features'], 'HardwareMediaKeyHandling,MediaRouter,DeferRendererTasksAfterInput');
});
