// `cove build` / `cove image build` with docker's flags, and `cove builder
// prune`. Progress is drawn as BuildKit's plain progress: `#N [stage k/n]
// INSTRUCTION`, the step's output lines with their time, then CACHED,
// DONE 1.2s or ERROR.
import fs from 'node:fs';
import path from 'node:path';
import type { BuildEvent, BuildOptions } from '../engine/build/build-types.js';
import type { SecretSource } from '../engine/build/run-mounts.js';
import { flagBool, flagList, flagString, parseArgs, UsageError } from './args.js';
import { verb } from './verbs.js';
import { formatError, type Command, type Io } from './cli-kit.js';
import { humanSize } from './format.js';
import { ttyProgress } from './build-tty-progress.js';

function keyValues(list: string[], what: string, fromEnv: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq === 0) throw new UsageError(`invalid ${what} "${kv}": use KEY=VALUE`);
    if (eq < 0) {
      // docker: --build-arg NAME takes NAME's value from the environment, if set.
      const v = fromEnv ? process.env[kv] : '';
      if (v !== undefined) out[kv] = v;
      continue;
    }
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/**
 * docker build --secret: `id=ID[,type=file|env][,src=FILE|source=FILE][,env=VAR]`;
 * `id=ID` alone reads the environment variable ID (docker's default).
 */
export function parseSecrets(list: string[], env: NodeJS.ProcessEnv = process.env): Record<string, SecretSource> {
  const out: Record<string, SecretSource> = {};
  for (const spec of list) {
    const f = new Map<string, string>();
    for (const part of spec.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`invalid --secret "${spec}": use id=ID,src=FILE or id=ID,env=VAR`);
      f.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1));
    }
    const id = f.get('id');
    if (!id) throw new UsageError(`invalid --secret "${spec}": id= is missing`);
    const src = f.get('src') ?? f.get('source');
    const type = f.get('type') ?? (src !== undefined ? 'file' : 'env');
    if (type === 'file') {
      if (!src) throw new UsageError(`invalid --secret "${spec}": src=FILE is missing`);
      out[id] = { file: path.resolve(src) };
    } else if (type === 'env') {
      const name = f.get('env') ?? src ?? id;
      const value = env[name];
      if (value === undefined) throw new UsageError(`--secret ${spec}: the environment variable ${name} is not set`);
      out[id] = { value };
    } else throw new UsageError(`invalid --secret "${spec}": type=${type} (use file or env)`);
  }
  return out;
}

/** BuildKit's plain progress lines from build events. */
export function plainProgress(write: (text: string) => void): (e: BuildEvent) => void {
  const partial = new Map<number, string>();
  const flush = (id: number, seconds: number, text: string): void => {
    const all = (partial.get(id) ?? '') + text;
    const lines = all.split(/\r?\n/);
    partial.set(id, lines.pop() ?? '');
    for (const l of lines) write(`#${id} ${seconds.toFixed(3)} ${l}\n`);
  };
  const rest = (id: number): void => {
    const left = partial.get(id);
    if (left) write(`#${id} ${left}\n`);
    partial.delete(id);
  };
  return (e) => {
    switch (e.type) {
      case 'note':
        write(`NOTE: ${e.text}\n`);
        break;
      case 'context':
        write(`#0 transferring context: ${humanSize(e.bytes)}\n`);
        break;
      case 'step':
        write(`#${e.id} ${e.label}\n`);
        break;
      case 'output':
        flush(e.id, e.seconds, e.text);
        break;
      case 'cached':
        write(`#${e.id} CACHED\n`);
        break;
      case 'done':
        rest(e.id);
        write(`#${e.id} DONE ${e.seconds.toFixed(1)}s\n`);
        break;
      case 'failed':
        rest(e.id);
        write(`#${e.id} ERROR: ${e.message.split('\n')[0]}\n`);
        break;
    }
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

export const build: Command = async (engine, argv: string[], io: Io) => {
  const p = parseArgs(argv, verb('build'));
  const contextArg = p.positionals[0];
  if (!contextArg || p.positionals.length > 1) throw new UsageError('"build" requires exactly one argument: cove build [OPTIONS] PATH | - | TARFILE');
  const progress = flagString(p, 'progress') ?? 'auto';
  if (!['auto', 'plain', 'tty', 'quiet'].includes(progress)) throw new UsageError(`invalid --progress ${progress}: use auto, plain or tty`);
  const quiet = flagBool(p, 'quiet') || progress === 'quiet';
  const file = flagString(p, 'file');
  if (file === '-' && contextArg === '-') throw new UsageError('cannot read both the Dockerfile (-f -) and the context (-) from stdin');
  if (/^(https?|git):\/\//.test(contextArg) || contextArg.startsWith('git@')) throw new UsageError(`remote build contexts are not supported yet: ${contextArg}`);
  let context: BuildOptions['context'];
  if (contextArg === '-') context = { kind: 'tar', stream: process.stdin };
  else {
    const st = fs.statSync(contextArg, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`the build context ${contextArg} does not exist`);
    context = st.isDirectory() ? { kind: 'dir', path: contextArg } : { kind: 'tar', stream: fs.createReadStream(contextArg) };
  }
  let dockerfile: BuildOptions['dockerfile'];
  if (file === '-') dockerfile = { text: await readAll(process.stdin) };
  else if (file !== undefined) dockerfile = { path: context.kind === 'dir' ? path.resolve(file) : file };
  const platform = flagString(p, 'platform');
  const target = flagString(p, 'target');
  let lastId = 0;
  // docker: auto is the live view on a terminal, plain lines otherwise.
  const live = !quiet && (progress === 'tty' || (progress === 'auto' && process.stderr.isTTY === true)) ? ttyProgress((t) => io.err(t), process.stderr.columns || 80) : null;
  const draw = live ? live.onEvent : plainProgress((t) => io.err(t));
  const write = (e: BuildEvent): void => {
    if ('id' in e) lastId = Math.max(lastId, e.id);
    if (!quiet) draw(e);
  };
  // The CLI's build runs in this process's engine, drawing BuildKit-style progress from the builder itself.
  const builder = await (await engine.local()).builder();
  const t0 = Date.now();
  let result: Awaited<ReturnType<typeof builder.build>>;
  try {
    result = await builder.build({
    context,
    ...(dockerfile ? { dockerfile } : {}),
    tags: flagList(p, 'tag'),
    buildArgs: keyValues(flagList(p, 'build-arg'), '--build-arg', true),
    ...(target !== undefined ? { target } : {}),
    noCache: flagBool(p, 'no-cache'),
    pull: flagBool(p, 'pull'),
    labels: keyValues(flagList(p, 'label'), '--label', false),
    secrets: parseSecrets(flagList(p, 'secret')),
    ...(platform !== undefined ? { platform } : {}),
    onEvent: write,
    });
  } catch (err) {
    live?.finish();
    // docker build exits 1 when the build fails (125 stays for Cove's own failures, e.g. usage).
    io.err(formatError(err));
    return 1;
  }
  live?.finish();
  const iidfile = flagString(p, 'iidfile');
  if (iidfile) fs.writeFileSync(iidfile, result.id);
  if (quiet) io.out(`${result.id}\n`);
  else {
    const n = lastId + 1;
    io.err(`#${n} exporting to image\n#${n} writing image ${result.id} done\n`);
    for (const r of result.references) io.err(`#${n} naming to ${r} done\n`);
    io.err(`#${n} DONE ${((Date.now() - t0) / 1000).toFixed(1)}s (${result.ran} step(s) run, ${result.cached} cached)\n`);
  }
  return 0;
};

const builderCmd: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  if (sub !== 'prune') throw new UsageError(`unknown builder command ${sub ? `"${sub}"` : ''}: use cove builder prune`);
  parseArgs(rest, verb('builder prune'));
  // The CLI's build runs in this process's engine, drawing BuildKit-style progress from the builder itself.
  const builder = await (await engine.local()).builder();
  const r = await builder.cache.prune();
  io.out(`Deleted build cache objects: ${r.entries}\nTotal reclaimed space: ${humanSize(r.reclaimed)}\n`);
  return 0;
};

export const BUILD_COMMANDS: Record<string, Command> = { build, builder: builderCmd };
