import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type FlagSpecs } from './args.js';

const run: FlagSpecs = {
  detach: { short: 'd' },
  rm: {},
  name: { value: true },
  env: { short: 'e', value: true, multiple: true },
  interactive: { short: 'i' },
  tty: { short: 't' },
};

test('run flags stop at the image; the rest is the command', () => {
  const p = parseArgs(['-d', '--rm', '--name', 'web', '-e', 'A=1', '--env=B=2', 'busybox', 'sh', '-c', 'echo -e hi --rm'], run, { stopAtPositional: true });
  assert.deepEqual(p.flags, { detach: true, rm: true, name: 'web', env: ['A=1', 'B=2'] });
  assert.deepEqual(p.positionals, ['busybox', 'sh', '-c', 'echo -e hi --rm']);
});

test('grouped and attached short flags', () => {
  const p = parseArgs(['-it', '-eK=V', '-eX', 'img'], run, { stopAtPositional: true });
  assert.deepEqual(p.flags, { interactive: true, tty: true, env: ['K=V', 'X'] });
  assert.deepEqual(p.positionals, ['img']);
});

test('unknown flags and missing values are usage errors', () => {
  assert.throws(() => parseArgs(['--nope', 'x'], run), UsageError);
  assert.throws(() => parseArgs(['-z'], run), /unknown shorthand flag: 'z'/);
  assert.throws(() => parseArgs(['--name'], run), /flag needs an argument: --name/);
  assert.throws(() => parseArgs(['--rm=maybe'], run), /takes no value/);
});

test('-- ends flags and positionals can mix when not stopping', () => {
  const p = parseArgs(['a', '-f', 'b', '--', '-x'], { force: { short: 'f' } });
  assert.deepEqual(p.flags, { force: true });
  assert.deepEqual(p.positionals, ['a', 'b', '-x']);
});
