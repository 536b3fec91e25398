import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateString } from './interpolate.js';

const env: Record<string, string> = { SET: 'v', EMPTY: '' };
const run = (s: string, unset = new Set<string>()) => interpolateString(s, { lookup: (n) => env[n], unset, where: 'w' });

test('every form of the compose-spec interpolation', () => {
  assert.equal(run('$SET ${SET} ${SET}x'), 'v v vx');
  assert.equal(run('${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${UNSET:-d}'), 'd  d d');
  assert.equal(run('${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt} ${UNSET+alt}'), 'alt  alt ');
  assert.equal(run('${UNSET:-${SET}} ${UNSET:-${ALSO:-deep}}'), 'v deep');
  assert.equal(run('$$SET $${SET} cost: 5$ $1 ${SET}$'), '$SET ${SET} cost: 5$ $1 v$');
  const unset = new Set<string>();
  assert.equal(run('a${NOPE}b$NOPE2', unset), 'ab');
  assert.deepEqual([...unset], ['NOPE', 'NOPE2']);
});

test('required variables and malformed templates', () => {
  assert.throws(() => run('${UNSET:?give it}'), /^Error: w: required variable UNSET is missing a value: give it$|w: required variable UNSET is missing a value: give it/);
  assert.throws(() => run('${EMPTY:?}'), /required variable EMPTY is empty$/);
  assert.equal(run('${EMPTY?}'), '', 'without ":" an empty value is set');
  assert.throws(() => run('${UNSET?$SET is needed}'), /missing a value: v is needed/);
  assert.throws(() => run('${SET'), /no closing "}"/);
  assert.throws(() => run('${1X}'), /does not start with a variable name/);
  assert.throws(() => run('${SET/a/b}'), /invalid interpolation format/);
});
