import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { streamTo } from './stream-output.js';
import { flagBool, flagString, parseArgs, requireArgs, UsageError } from './args.js';
import { confirm, each, type Command } from './cli-kit.js';
import { CONTAINER_COMMANDS } from './container-commands.js';
import { typedInspect } from './inspect-commands.js';
import { verb } from './verbs.js';

const pause: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('pause'));
  return each(requireArgs(p, verb('pause'), 1), io, async (id) => {
    const r = await engine.call('containers:pause', { id });
    io.err(`note: ${r.note}\n`);
    return id;
  });
};

const unpause: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('unpause'));
  return each(requireArgs(p, verb('unpause'), 1), io, async (id) => (await engine.call('containers:unpause', { id }), id));
};

/** docker update: new limits for running containers (cgroup v2 with delegation). */
const update: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('update'));
  const ids = requireArgs(p, verb('update'), 1);
  const num = (name: string): number | undefined => {
    const v = flagString(p, name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} needs a number, not "${v}"`);
    return n;
  };
  const opts = {
    ...(flagString(p, 'memory') !== undefined ? { memory: flagString(p, 'memory') as string } : {}),
    ...(flagString(p, 'memory-swap') !== undefined ? { memorySwap: flagString(p, 'memory-swap') as string } : {}),
    ...(num('cpus') !== undefined ? { cpus: num('cpus') as number } : {}),
    ...(num('cpu-shares') !== undefined ? { cpuShares: num('cpu-shares') as number } : {}),
    ...(num('pids-limit') !== undefined ? { pidsLimit: num('pids-limit') as number } : {}),
  };
  return each(ids, io, async (id) => (await engine.call('containers:update', { id, ...opts }), id));
};

const rename: Command = async (engine, argv) => {
  const p = parseArgs(argv, verb('rename'));
  const [from, to] = requireArgs(p, verb('rename'), 2, 2) as [string, string];
  await engine.call('containers:rename', { id: from, name: to });
  return 0;
};

/** cove cp CONTAINER:SRC DEST|- | cove cp SRC|- CONTAINER:DEST (docker's "-": a tar on stdout or stdin). */
const cp: Command = async (engine, argv) => {
  const p = parseArgs(argv, verb('cp'));
  const [src, dst] = requireArgs(p, verb('cp'), 2, 2) as [string, string];
  // docker's splitCpArg: a path that starts with / or . is local even with a colon in it.
  const split = (s: string): [string, string] | null => {
    const i = s.indexOf(':');
    return i > 0 && !s.startsWith('/') && !s.startsWith('.') ? [s.slice(0, i), s.slice(i + 1)] : null;
  };
  const from = split(src);
  const to = split(dst);
  if (from && to) throw new UsageError('copying between containers is not supported', 1);
  // Host paths go to the engine absolute: its working directory is not ours.
  if (from) {
    if (dst === '-') {
      if (process.stdout.isTTY) throw new UsageError('refusing to write a tar archive to the terminal: redirect stdout', 1);
      await streamTo(engine, 'containers:archive', { id: from[0], path: from[1] }, process.stdout);
    } else await engine.call('containers:copyFrom', { id: from[0], path: from[1], hostPath: path.resolve(dst) });
  } else if (to) {
    if (src === '-') await extractStdin(engine, to[0], to[1]);
    else await engine.call('containers:copyTo', { id: to[0], hostPath: path.resolve(src), path: to[1] });
  } else throw new UsageError('must specify at least one container source', 1);
  return 0;
};

/** `cp - C:PATH`: the engine reads files, not this process's stdin, so the tar goes through a private file (mkdtemp: 0700). */
async function extractStdin(engine: Parameters<Command>[0], id: string, dest: string): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cove-cp-'));
  try {
    const tar = path.join(dir, 'in.tar');
    await pipeline(process.stdin, fs.createWriteStream(tar, { mode: 0o600 }));
    await engine.call('containers:extract', { id, hostPath: tar, path: dest });
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

const diff: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('diff'));
  const [q] = requireArgs(p, verb('diff'), 1, 1) as [string];
  for (const e of await engine.call('containers:diff', { id: q })) io.out(`${e.kind} ${e.path}\n`);
  return 0;
};

const exportCmd: Command = async (engine, argv) => {
  const p = parseArgs(argv, verb('export'));
  const [q] = requireArgs(p, verb('export'), 1, 1) as [string];
  const file = flagString(p, 'output');
  if (!file && process.stdout.isTTY) throw new UsageError('refusing to write a tar to the terminal: use -o FILE or redirect stdout');
  const out = file ? fs.createWriteStream(file) : process.stdout;
  await streamTo(engine, 'containers:export', { id: q }, out);
  if (file) await new Promise<void>((resolve) => (out as fs.WriteStream).end(() => resolve()));
  return 0;
};

const port: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('port'));
  const [q] = requireArgs(p, verb('port'), 1, 2) as [string];
  for (const pt of await engine.call('containers:port', { id: q })) io.out(`${pt.containerPort}/${pt.protocol} -> ${pt.hostIp}:${pt.hostPort}\n`);
  return 0;
};

const prune: Command = async (engine, argv, io) => {
  const spec = verb('container prune');
  const p = parseArgs(argv, spec);
  requireArgs(p, spec, 0, 0);
  if (!(await confirm(io, 'WARNING! This will remove all stopped containers.', flagBool(p, 'force'), 'cove container prune'))) return 0;
  const { removed } = await engine.call('containers:prune', {});
  if (removed.length) io.out(`Deleted Containers:\n${removed.join('\n')}\n`);
  io.out(`Total: ${removed.length} container(s) removed\n`);
  return 0;
};

const LIFECYCLE: Record<string, Command> = { pause, unpause, update, rename, cp, diff, export: exportCmd, port };

/** `cove container VERB`: docker's management-command spelling of the same verbs. */
const container: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  const aliases: Record<string, string> = { ls: 'ps', list: 'ps', remove: 'rm' };
  if (sub === 'prune') return prune(engine, rest, io);
  if (sub === 'inspect') return typedInspect('container')(engine, rest, io);
  const name = aliases[sub ?? ''] ?? sub ?? '';
  const cmd = LIFECYCLE[name] ?? CONTAINER_COMMANDS[name];
  if (!cmd || name === 'container-exited') throw new UsageError(`unknown container command ${sub ? `"${sub}"` : ''}`, 1, 'container');
  return cmd(engine, rest, io);
};

export const LIFECYCLE_COMMANDS: Record<string, Command> = { ...LIFECYCLE, container };
