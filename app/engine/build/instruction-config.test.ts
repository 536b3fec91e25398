import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './dockerfile-parser.js';
import { applyConfigInstruction, parseDuration, type ConfigStep, type RunnableConfig } from './instruction-config.js';
import { runArgv } from './layer-steps.js';
import { EngineError } from '../errors.js';

function apply(lines: string, base: RunnableConfig = { Env: [] }): RunnableConfig {
  const cfg = { ...base, Env: [...base.Env] };
  const step: ConfigStep = { file: 'Dockerfile', escape: '\\', lookup: (n) => ({ PORT: '9000' })[n], setAuthor: () => undefined, cmdSetInStage: false };
  for (const ins of parseDockerfile(`FROM x\n${lines}`).instructions.slice(1)) assert.notEqual(applyConfigInstruction(ins, cfg, step), null, ins.keyword);
  return cfg;
}

test('Go durations for HEALTHCHECK flags', () => {
  assert.equal(parseDuration('30s'), 30e9);
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('500ms'), 5e8);
  assert.equal(parseDuration('1.5h'), 5400e9);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('10'), null);
  assert.equal(parseDuration('abc'), null);
});

test('EXPOSE: protocols, ranges and variables; bad ports name the line', () => {
  assert.deepEqual(apply('EXPOSE 80 53/UDP 7000-7002 $PORT').ExposedPorts, { '80/tcp': {}, '53/udp': {}, '7000/tcp': {}, '7001/tcp': {}, '7002/tcp': {}, '9000/tcp': {} });
  assert.throws(() => apply('EXPOSE http'), (e: unknown) => e instanceof EngineError && /Dockerfile:2: invalid port "http"/.test(e.message));
  assert.throws(() => apply('EXPOSE 70000'), /invalid port range/);
});

test('CMD and ENTRYPOINT: shell form goes through SHELL; an ENTRYPOINT drops an inherited CMD but not one set in the stage', () => {
  const inherited = apply('ENTRYPOINT ["/run.sh"]', { Env: [], Cmd: ['sh'] });
  assert.deepEqual(inherited.Entrypoint, ['/run.sh']);
  assert.equal(inherited.Cmd, null);
  const own = apply('CMD ["a"]\nENTRYPOINT ["b"]', { Env: [], Cmd: ['sh'] });
  assert.deepEqual(own.Cmd, ['a']);
  assert.deepEqual(apply('SHELL ["/bin/bash", "-c"]\nCMD echo hi').Cmd, ['/bin/bash', '-c', 'echo hi']);
  assert.throws(() => apply('SHELL /bin/bash -c'), /SHELL must be in JSON form/);
});

test('WORKDIR resolves against the previous one; ENV replaces a key; HEALTHCHECK NONE and CMD forms', () => {
  const c = apply('WORKDIR /a\nWORKDIR b/../c\nENV X=1\nENV X=2 Y=$PORT\nHEALTHCHECK --timeout=3s CMD ["curl", "-f", "x"]');
  assert.equal(c.WorkingDir, '/a/c');
  assert.deepEqual(c.Env, ['X=2', 'Y=9000']);
  assert.deepEqual(c.Healthcheck, { Test: ['CMD', 'curl', '-f', 'x'], Timeout: 3e9 });
  assert.deepEqual(apply('HEALTHCHECK NONE').Healthcheck, { Test: ['NONE'] });
  assert.throws(() => apply('HEALTHCHECK --interval=soon CMD true'), /invalid --interval=soon/);
  assert.throws(() => apply('ONBUILD FROM x'), /FROM is not allowed as an ONBUILD trigger/);
});

test('RUN: a lone heredoc is the script; other heredocs stay in the shell text', () => {
  const [, lone, mixed, json] = parseDockerfile('FROM x\nRUN <<EOF\necho a\nEOF\nRUN cat <<EOF > /f\nbody\nEOF\nRUN ["echo", "x"]\n').instructions;
  assert.deepEqual(runArgv(lone!, ['/bin/sh', '-c']), ['/bin/sh', '-c', 'echo a\n']);
  assert.deepEqual(runArgv(mixed!, ['/bin/sh', '-c']), ['/bin/sh', '-c', 'cat <<EOF > /f\nbody\nEOF']);
  assert.deepEqual(runArgv(json!, ['/bin/sh', '-c']), ['echo', 'x']);
});
