import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flag, parseDockerfile } from './dockerfile-parser.js';
import { expandWord, expandWords, rawWords } from './dockerfile-words.js';
import { keyValues, neededStages, planDockerfile, targetStage } from './dockerfile-stages.js';
import { EngineError } from '../errors.js';

function fails(source: string, pattern: RegExp): void {
  assert.throws(
    () => planDockerfile(source, 'Dockerfile', {}),
    (err: unknown) => err instanceof EngineError && err.code === 'E_DOCKERFILE_INVALID' && pattern.test(err.message),
  );
}

test('comments, blank lines and continuations join into instructions with their first line', () => {
  const p = parseDockerfile('# a comment\n\nFROM busybox\nRUN echo a \\\n  # inside\n\n  && echo b\n  run   echo c\n');
  assert.deepEqual(p.instructions.map((i) => [i.keyword, i.line]), [['FROM', 3], ['RUN', 4], ['RUN', 8]]);
  assert.equal(p.instructions[1]?.args, 'echo a   && echo b');
  assert.equal(p.instructions[2]?.args, 'echo c');
});

test('parser directives: escape changes the continuation character, syntax is noted', () => {
  const p = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox\nRUN echo C:\\dir `\n  done\n');
  assert.equal(p.escape, '`');
  assert.equal(p.instructions[1]?.args, 'echo C:\\dir   done');
  assert.match(p.notes[0] ?? '', /ignored/);
  // A directive after an instruction is only a comment.
  assert.equal(parseDockerfile('FROM a\n# escape=`\nRUN x \\\n y').instructions[1]?.args, 'x  y');
});

test('JSON form only for a valid array of strings; otherwise shell form', () => {
  const p = parseDockerfile('FROM a\nCMD ["sh", "-c", "echo hi"]\nCMD [not json]\nENTRYPOINT ["a", 1]\n');
  assert.deepEqual(p.instructions[1]?.json, ['sh', '-c', 'echo hi']);
  assert.equal(p.instructions[2]?.json, null);
  assert.equal(p.instructions[3]?.json, null);
});

test('heredocs: bodies, quoted delimiters, <<- strips tabs, several per line', () => {
  const p = parseDockerfile('FROM a\nRUN <<EOF\necho $HOME\n  indented\nEOF\nCOPY <<-"ONE" <<TWO /dst/\n\tfirst\n\tONE\nsecond\nTWO\nRUN echo after\n');
  const run = p.instructions[1];
  assert.deepEqual(run?.heredocs, [{ name: 'EOF', content: 'echo $HOME\n  indented\n', expand: true }]);
  const copy = p.instructions[2];
  assert.deepEqual(copy?.heredocs, [
    { name: 'ONE', content: 'first\n', expand: false },
    { name: 'TWO', content: 'second\n', expand: true },
  ]);
  assert.equal(p.instructions[3]?.args, 'echo after');
  assert.equal(p.instructions[3]?.line, 11);
});

test('flags are split off and checked per instruction', () => {
  const p = parseDockerfile('FROM --platform=linux/amd64 a AS b\nCOPY --from=b --chown=1:2 --link x y\nRUN --mount=type=cache,target=/c --network=none make\n');
  assert.equal(flag(p.instructions[0]!, 'platform'), 'linux/amd64');
  assert.equal(p.instructions[0]?.args, 'a AS b');
  assert.equal(flag(p.instructions[1]!, 'from'), 'b');
  assert.equal(flag(p.instructions[1]!, 'link'), null);
  assert.equal(p.instructions[1]?.args, 'x y');
  assert.equal(flag(p.instructions[2]!, 'network'), 'none');
  fails('FROM a\nCOPY --bogus=1 x y\n', /Dockerfile:2: unknown flag --bogus for COPY/);
  fails('FROM a\nENV --x=1 a=b\n', /Dockerfile:2: unknown flag --x for ENV/);
  fails('FROM a\nCOPY --from x y\n', /--from needs a value/);
});

test('errors name the file, the line and what is wrong', () => {
  fails('FROM a\nRUNN echo\n', /^Dockerfile:2: unknown instruction: RUNN$/);
  fails('RUN echo\n', /Dockerfile:1: RUN before the first FROM/);
  fails('FROM a\nRUN <<EOF\necho\n', /Dockerfile:2: the heredoc <<EOF has no closing line/);
  fails('FROM a\nWORKDIR\n', /Dockerfile:2: WORKDIR needs arguments/);
  fails('# escape=x\nFROM a\n', /Dockerfile:1: invalid escape/);
  fails('FROM a AS x\nFROM b AS X\n', /Dockerfile:2: duplicate stage name/);
  fails('FROM a b c d\n', /Dockerfile:1: FROM takes an image/);
  fails('ARG X\nFROM ${X}\n', /empty image name/);
  fails('', /no FROM/);
});

test('variable substitution: $V, ${V}, defaults, alternatives, quotes and escapes', () => {
  const vars: Record<string, string> = { A: 'one', E: '', S: 'x y' };
  const look = (n: string): string | undefined => vars[n];
  assert.equal(expandWord('$A-${A}_$NOPE.', look).word, 'one-one_.');
  assert.equal(expandWord('${E:-def} ${E-def} ${NOPE-def} ${A:+alt} ${E:+alt}|${E+alt}', look).word, 'def  def alt |alt');
  assert.equal(expandWord("'$A' \"$A\" \\$A", look).word, '$A one $A');
  assert.equal(expandWord('"a\\"b\\n"', look).word, 'a"b\\n');
  assert.equal(expandWord('`$A', look, '`').word, '$A');
  assert.throws(() => expandWord('${NOPE:?must be set}', look), /NOPE: must be set/);
  assert.throws(() => expandWord('${A', look), /missing closing/);
  assert.throws(() => expandWord('"abc', look), /unterminated double quote/);
  const r = expandWords('src/$A "with space" $S', look);
  assert.deepEqual(r.words, ['src/one', 'with space', 'x', 'y']);
  assert.deepEqual([...r.used].sort(), ['A', 'S']);
  assert.deepEqual(rawWords('a=b "c d"=e f=\'g h\''), ['a=b', '"c d"=e', "f='g h'"]);
});

test('ENV and LABEL: key=value lists, the legacy form, expansion of earlier values', () => {
  const p = parseDockerfile('FROM a\nENV A=1 B="two words" C=$A\\ x\nENV OLD value with spaces\nLABEL "my.key"="v" other=$A\n');
  const look = (n: string): string | undefined => ({ A: 'alpha' })[n];
  assert.deepEqual(keyValues('Dockerfile', p.instructions[1]!, look, '\\').pairs, [['A', '1'], ['B', 'two words'], ['C', 'alpha x']]);
  assert.deepEqual(keyValues('Dockerfile', p.instructions[2]!, look, '\\').pairs, [['OLD', 'value with spaces']]);
  const label = keyValues('Dockerfile', p.instructions[3]!, look, '\\');
  assert.deepEqual(label.pairs, [['my.key', 'v'], ['other', 'alpha']]);
  assert.deepEqual([...label.used], ['A']);
});

test('ARG before FROM is in scope for FROM; build args override defaults', () => {
  const src = 'ARG BASE=busybox\nARG TAG\nFROM ${BASE}:${TAG:-latest} AS build\nRUN x\nFROM scratch\nCOPY --from=build /a /a\n';
  const plan = planDockerfile(src, 'Dockerfile', { TAG: '1.36' });
  assert.equal(plan.stages[0]?.base, 'busybox:1.36');
  assert.equal(plan.stages[0]?.name, 'build');
  assert.equal(plan.stages[1]?.base, 'scratch');
  assert.equal(planDockerfile(src, 'Dockerfile', {}).stages[0]?.base, 'busybox:latest');
});

test('the target needs only the stages it uses (FROM, COPY --from, RUN --mount from=)', () => {
  const src = [
    'FROM a AS base', 'FROM base AS deps', 'FROM a AS unused', 'RUN x',
    'FROM a AS tool', 'FROM deps AS final', 'COPY --from=tool /t /t', 'RUN --mount=type=bind,from=0,target=/m true',
  ].join('\n');
  const plan = planDockerfile(src, 'Dockerfile', {});
  assert.deepEqual(neededStages(plan, targetStage(plan, 'final')).map((s) => s.name), ['base', 'deps', 'tool', 'final']);
  assert.deepEqual(neededStages(plan, targetStage(plan, 'deps')).map((s) => s.name), ['base', 'deps']);
  assert.equal(targetStage(plan, undefined).name, 'final');
  assert.throws(() => targetStage(plan, 'nope'), /no build stage named "nope"/);
});
