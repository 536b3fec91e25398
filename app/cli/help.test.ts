import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HelpRequested, parseArgs, requireArgs, UsageError } from './args.js';
import { allCommands } from './commands.js';
import { generalHelp, specForPath, verbHelp } from './help.js';
import { HELP_GROUPS, VERBS, verb } from './verbs.js';

test('every verb the CLI runs has a spec naming its module, and every spec names a verb', async () => {
  const COMMANDS = await allCommands();
  const { COMMAND_MODULES } = await import('./commands.js');
  for (const spec of Object.values(VERBS)) {
    if (spec.name.includes(' ') || spec.name === 'help' || spec.name === 'version') continue;
    const load = COMMAND_MODULES[spec.module ?? ''];
    assert.ok(load, `${spec.name} names no module`);
    assert.ok((await load())[spec.name], `${spec.name} is not in module ${spec.module}`);
  }
  for (const name of Object.keys(COMMANDS)) assert.ok(VERBS[name], `no spec for ${name}`);
  for (const name of Object.keys(VERBS)) {
    const top = name.split(' ')[0] as string;
    assert.ok(COMMANDS[top] || name === 'help' || name === 'version', `spec ${name} has no command`);
  }
  for (const [, names] of HELP_GROUPS) for (const n of names) assert.ok(VERBS[n], `help lists ${n} without a spec`);
});

test('each verb prints docker-style help: usage line, description, options with every visible flag', () => {
  for (const spec of Object.values(VERBS)) {
    const text = verbHelp(spec);
    assert.ok(text.includes(`Usage:  cove ${spec.name}`), spec.name);
    assert.ok(text.includes(spec.description.split('\n')[0] as string), spec.name);
    if (spec.subcommands) {
      for (const sub of spec.subcommands) assert.match(text, new RegExp(`^  ${sub}\\s`, 'm'), `${spec.name} lists ${sub}`);
      continue;
    }
    assert.match(text, /^Options:$/m, spec.name);
    for (const [flag, f] of Object.entries(spec.flags)) {
      if (f.hidden) continue;
      const line = new RegExp(`^  ${f.short ? `-${f.short}, ` : '    '}--${flag}${f.value ? ` ${f.type ?? 'string'}` : ''}\\s`, 'm');
      assert.match(text, line, `${spec.name} --${flag}`);
    }
  }
});

test('run help matches docker layout', () => {
  const text = verbHelp(verb('run'));
  assert.match(text, /^Usage: {2}cove run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]$/m);
  assert.match(text, /^Create and run a new container from an image$/m);
  assert.match(text, /^ {2}-d, --detach\s+Run container in background and print container ID$/m);
  assert.match(text, /^ {2}-e, --env list\s+Set environment variables$/m);
  assert.match(text, /^ {6}--pull string\s+Pull image before running \("always", "missing", "never"\) \(default "missing"\)$/m);
  // run -h is --hostname (as in docker), so --help has no shorthand there.
  assert.match(text, /^ {2}-h, --hostname string/m);
  assert.match(text, /^ {6}--help\s+Print usage$/m);
});

test('--help anywhere among the flags asks for help; after the image it is the container\'s', () => {
  assert.throws(() => parseArgs(['-a', '--help'], verb('ps')), (e: unknown) => e instanceof HelpRequested && e.spec.name === 'ps');
  assert.throws(() => parseArgs(['-h'], verb('ps')), HelpRequested);
  const p = parseArgs(['busybox', 'ls', '--help'], verb('run'));
  assert.deepEqual(p.positionals, ['busybox', 'ls', '--help']);
  // run -h takes a value: the hostname.
  assert.equal(parseArgs(['-h', 'box', 'busybox'], verb('run')).flags.hostname, 'box');
});

test('usage errors carry docker exit statuses: 125 for flags, 1 for arguments', () => {
  assert.throws(() => parseArgs(['--bogus'], verb('run')), (e: unknown) => e instanceof UsageError && e.status === 125 && e.verb === 'run' && e.message === 'unknown flag: --bogus');
  const p = parseArgs([], verb('rm'));
  assert.throws(
    () => requireArgs(p, verb('rm'), 1),
    (e: unknown) => e instanceof UsageError && e.status === 1 && e.message.startsWith('"cove rm" requires at least 1 argument.\nSee \'cove rm --help\'.\n\nUsage:  cove rm [OPTIONS] CONTAINER [CONTAINER...]'),
  );
  assert.throws(() => requireArgs(parseArgs(['a', 'b'], verb('rename')), verb('rename'), 2, 2) && requireArgs(parseArgs(['a'], verb('rename')), verb('rename'), 2, 2), /requires exactly 2 arguments/);
});

test('management verbs and their sub-verbs resolve for `cove help A B`', () => {
  assert.equal(specForPath(['volume', 'ls'])?.name, 'volume ls');
  assert.equal(specForPath(['container', 'ls'])?.name, 'ps');
  assert.equal(specForPath(['image', 'rm'])?.name, 'rmi');
  assert.equal(specForPath(['system', 'prune'])?.name, 'system prune');
  assert.equal(specForPath(['nosuch']), undefined);
  assert.match(generalHelp(), /^Management Commands:$/m);
  assert.match(generalHelp(), /^ {2}run\s+Create and run a new container from an image$/m);
});
