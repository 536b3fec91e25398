import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvFile, parseRawEnvFile } from './env-file.js';

test('env files: export, comments, quotes, escapes, multi-line values, interpolation, bare keys', () => {
  const text = [
    '# comment',
    '',
    'export A=1',
    'B = two words  # trailing comment',
    "C='literal ${A} \\n'",
    'D="line\\nnext ${A}"',
    'E="multi',
    'line"',
    'F=${A}-${FROM_CALLER}',
    'G',
    'H',
    'I=a#b',
    'J: yaml-ish',
  ].join('\n');
  const env = parseEnvFile('f.env', text, (n) => ({ FROM_CALLER: 'c', G: 'g' })[n]);
  assert.deepEqual(env, { A: '1', B: 'two words', C: 'literal ${A} \\n', D: 'line\nnext 1', E: 'multi\nline', F: '1-c', G: 'g', I: 'a#b', J: 'yaml-ish' });
});

test('env files: bad lines name the file and line', () => {
  assert.throws(() => parseEnvFile('f.env', 'A=1\n=2\n'), /f\.env:2: invalid line "=2"/);
  assert.throws(() => parseEnvFile('f.env', 'A="open\n'), /f\.env:1: unterminated double-quoted value for A/);
});

test('env files in raw format: values verbatim, no quotes removed, no interpolation', () => {
  assert.deepEqual(parseRawEnvFile('# c\nA="q" $B\nC=x=y\n\n'), { A: '"q" $B', C: 'x=y' });
});
