import fs from 'node:fs';
import { flagString, parseArgs, UsageError } from './args.js';
import { each, type Command } from './cli-kit.js';
import { CONTAINER_COMMANDS } from './container-commands.js';

const pause: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, {});
  if (p.positionals.length === 0) throw new UsageError('"pause" requires at least one container');
  return each(p.positionals, io, async (id) => {
    const r = await engine.handle('containers:pause', { id });
    io.err(`note: ${r.note}\n`);
    return id;
  });
};

const unpause: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, {});
  if (p.positionals.length === 0) throw new UsageError('"unpause" requires at least one container');
  return each(p.positionals, io, async (id) => (await engine.handle('containers:unpause', { id }), id));
};

const rename: Command = async (engine, argv) => {
  const p = parseArgs(argv, {});
  const [from, to] = p.positionals;
  if (!from || !to || p.positionals.length !== 2) throw new UsageError('"rename" requires a container and a new name');
  await engine.handle('containers:rename', { id: from, name: to });
  return 0;
};

/** cove cp CONTAINER:SRC DEST | cove cp SRC CONTAINER:DEST */
const cp: Command = async (engine, argv) => {
  const p = parseArgs(argv, { archive: { short: 'a' } });
  const [src, dst] = p.positionals;
  if (!src || !dst || p.positionals.length !== 2) throw new UsageError('"cp" requires a source and a destination, one of them CONTAINER:PATH');
  const split = (s: string): [string, string] | null => {
    const i = s.indexOf(':');
    return i > 0 && !s.startsWith('/') && !s.startsWith('.') ? [s.slice(0, i), s.slice(i + 1)] : null;
  };
  const from = split(src);
  const to = split(dst);
  if (from && to) throw new UsageError('copying between containers is not supported');
  if (from) await engine.containers.copyOut(from[0], from[1], dst);
  else if (to) await engine.containers.copyIn(to[0], src, to[1]);
  else throw new UsageError('one of source and destination must be CONTAINER:PATH');
  return 0;
};

const diff: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, {});
  const [q] = p.positionals;
  if (!q) throw new UsageError('"diff" requires a container');
  for (const e of await engine.containers.diff(q)) io.out(`${e.kind} ${e.path}\n`);
  return 0;
};

const exportCmd: Command = async (engine, argv) => {
  const p = parseArgs(argv, { output: { short: 'o', value: true } });
  const [q] = p.positionals;
  if (!q) throw new UsageError('"export" requires a container');
  const file = flagString(p, 'output');
  if (!file && process.stdout.isTTY) throw new UsageError('refusing to write a tar to the terminal: use -o FILE or redirect stdout');
  const out = file ? fs.createWriteStream(file) : process.stdout;
  await engine.containers.export(q, out, engine.tmpDir);
  if (file) await new Promise<void>((resolve) => (out as fs.WriteStream).end(() => resolve()));
  return 0;
};

const port: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, {});
  const [q] = p.positionals;
  if (!q) throw new UsageError('"port" requires a container');
  for (const pt of await engine.containers.ports(q)) io.out(`${pt.containerPort}/${pt.protocol} -> ${pt.hostIp}:${pt.hostPort}\n`);
  return 0;
};

const prune: Command = async (engine, argv, io) => {
  // -f (skip the prompt) is accepted for docker compatibility: Cove never prompts.
  parseArgs(argv, { force: { short: 'f' } });
  const { removed } = await engine.handle('containers:prune', {});
  if (removed.length) io.out(`Deleted Containers:\n${removed.join('\n')}\n`);
  io.out(`Total: ${removed.length} container(s) removed\n`);
  return 0;
};

const LIFECYCLE: Record<string, Command> = { pause, unpause, rename, cp, diff, export: exportCmd, port };

/** `cove container VERB`: docker's management-command spelling of the same verbs. */
const container: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  const aliases: Record<string, string> = { ls: 'ps', list: 'ps', remove: 'rm' };
  if (sub === 'prune') return prune(engine, rest, io);
  const name = aliases[sub ?? ''] ?? sub ?? '';
  const cmd = LIFECYCLE[name] ?? CONTAINER_COMMANDS[name];
  if (!cmd || name === 'container-exited') throw new UsageError(`unknown container command ${sub ? `"${sub}"` : ''}`);
  return cmd(engine, rest, io);
};

export const LIFECYCLE_COMMANDS: Record<string, Command> = { ...LIFECYCLE, container };
