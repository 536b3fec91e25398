import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseBytes, parseDuration, shellSplit } from './units.js';

test('durations as Go parses and prints them', () => {
  assert.equal(parseDuration('1m30s', 'x'), 90e9);
  assert.equal(parseDuration('500ms', 'x'), 5e8);
  assert.equal(parseDuration('1h2m3.5s', 'x'), 3723.5e9);
  assert.equal(parseDuration(10, 'x'), 10e9);
  assert.throws(() => parseDuration('10 minutes', 'here'), /here: invalid duration "10 minutes"/);
  assert.equal(formatDuration(90e9), '1m30s');
  assert.equal(formatDuration(5e8), '500ms');
  assert.equal(formatDuration(3600e9), '1h0m0s');
  assert.equal(formatDuration(0), '0s');
});

test('byte sizes with binary units', () => {
  assert.equal(parseBytes('64m', 'x'), 64 * 1024 * 1024);
  assert.equal(parseBytes('1g', 'x'), 1024 ** 3);
  assert.equal(parseBytes('512kb', 'x'), 512 * 1024);
  assert.equal(parseBytes(1000, 'x'), 1000);
  assert.throws(() => parseBytes('lots', 'x'), /invalid size "lots"/);
});

test('command strings split as a shell would, without expansion', () => {
  assert.deepEqual(shellSplit(`sh -c 'echo "a b"' "c \\"d\\"" e\\ f $HOME`, 'x'), ['sh', '-c', 'echo "a b"', 'c "d"', 'e f', '$HOME']);
  assert.deepEqual(shellSplit('  ', 'x'), []);
  assert.deepEqual(shellSplit(`a ''`, 'x'), ['a', '']);
  assert.throws(() => shellSplit(`echo 'open`, 'here'), /here: unterminated single quote/);
});
