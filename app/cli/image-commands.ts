import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TaskProgress } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import type { CliEngine } from './cli-engine.js';
import { familiarReference } from '../engine/reference.js';
import { flagBool, flagList, flagString, parseArgs, requireArgs, UsageError, type Parsed } from './args.js';
import { humanSize, table } from './format.js';
import { renderList } from './template-output.js';
import { imageRows, IMAGES_DIGESTS_FORMAT, IMAGES_FORMAT } from './list-rows.js';
import { IMAGE_FILTERS, imageFilter, parseFilters } from './list-filters.js';
import { typedInspect } from './inspect-commands.js';
import { verb } from './verbs.js';
import { humanDuration } from '../engine/container/human-time.js';
import { shortId } from '../engine/digest.js';
import { confirm, formatError, type Command, type Io } from './cli-kit.js';
import { progressRenderer } from './progress-bars.js';
import { followCliTask } from './task-follow.js';

/** --tls-verify=false (podman's spelling); anything else keeps verification on. */
function tlsVerify(p: Parsed): boolean {
  return p.flags['tls-verify'] !== false;
}

/**
 * Runs a pull or push as a task of the engine (the GUI sees it too),
 * drawing its progress events; Ctrl-C cancels it (the task cleans up after
 * itself). Resolves with the task's final state.
 */
async function runTask(engine: CliEngine, io: Io, quiet: boolean, start: () => Promise<{ taskId: string }>): Promise<TaskProgress> {
  const renderer = quiet ? null : progressRenderer((t) => io.err(t), process.stderr.isTTY === true);
  const final = await followCliTask(engine, start, (t) => renderer?.update(t));
  renderer?.finish(final);
  if (final.state === 'cancelled') throw new EngineError('E_CANCELLED', `${final.kind} of ${final.title} cancelled`);
  if (final.state === 'failed' && final.error) throw new EngineError(final.error.code, final.error.message);
  return final;
}

/** Pulls with progress on stderr (docker's layout); shared by `pull` and `run`/`create --pull`. */
export async function pullImage(engine: CliEngine, io: Io, reference: string, opts: { quiet: boolean; platform?: string; tlsVerify?: boolean }): Promise<string> {
  const final = await runTask(engine, io, opts.quiet, () =>
    engine.call('images:pull', { reference, ...(opts.platform ? { platform: opts.platform } : {}), ...(opts.tlsVerify === false ? { tlsVerify: false } : {}) }),
  );
  const result = final.outcome;
  if (!result) throw new EngineError('E_INTERNAL', `pull of ${reference} ended without a result`);
  if (!opts.quiet) {
    io.err(`Digest: ${result.digest}\n`);
    io.err(result.downloaded ? `Status: Downloaded newer image for ${familiarReference(result.reference)}\n` : `Status: Image is up to date for ${familiarReference(result.reference)}\n`);
  }
  return result.reference;
}

const pull: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('pull'));
  const [reference] = requireArgs(p, verb('pull'), 1, 1) as [string];
  const platform = flagString(p, 'platform');
  const ref = await pullImage(engine, io, reference, { quiet: flagBool(p, 'quiet'), ...(platform ? { platform } : {}), tlsVerify: tlsVerify(p) });
  io.out(`${ref}\n`);
  return 0;
};

const images: Command = async (engine, argv, io) => {
  const spec = verb('images');
  const p = parseArgs(argv, spec);
  const [repoFilter] = requireArgs(p, spec, 0, 1);
  const filters = parseFilters(flagList(p, 'filter'), IMAGE_FILTERS);
  // docker images REPOSITORY[:TAG] is the reference filter spelled positionally.
  if (repoFilter) filters.set('reference', [...(filters.get('reference') ?? []), repoFilter]);
  const all = await engine.call('images:list', {});
  const labels = new Map<string, Record<string, string>>();
  if (filters.has('label')) for (const img of all) labels.set(img.id, (await engine.call('images:inspect', { reference: img.id })).Config.Labels ?? {});
  const list = all.filter(imageFilter(filters, all, (id) => labels.get(id) ?? {}));
  const noTrunc = flagBool(p, 'no-trunc');
  if (flagBool(p, 'quiet')) {
    // One ID per image, as docker -q prints them (not one per tag).
    io.out([...new Set(list.map((i) => (noTrunc ? i.id : shortId(i.id))))].map((id) => id + '\n').join(''));
    return 0;
  }
  const digests = new Map<string, Map<string, string>>();
  const format = flagString(p, 'format') ?? (flagBool(p, 'digests') ? IMAGES_DIGESTS_FORMAT : undefined);
  if (format !== undefined && /Digest|json/.test(format)) {
    for (const img of list) {
      const repoDigests = (await engine.call('images:inspect', { reference: img.id })).RepoDigests;
      digests.set(img.id, new Map(repoDigests.map((d) => [d.slice(0, d.indexOf('@')), d.slice(d.indexOf('@') + 1)])));
    }
  }
  const rows = list.flatMap((img) => imageRows(img, { noTrunc, ...(digests.has(img.id) ? { digests: digests.get(img.id) as Map<string, string> } : {}) }));
  io.out(renderList(format, IMAGES_FORMAT, rows));
  return 0;
};

const load: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('load'));
  const input = flagString(p, 'input') ?? p.positionals[0];
  if (!input) throw new UsageError('"load" requires an archive: cove load -i FILE (docker-archive, oci-archive or an OCI layout directory)');
  // Warnings (device nodes a rootless unpack leaves out) come as events.
  const warnings = await engine.subscribe('events:subscribe', { types: ['warning'] }, (event) => {
    if (event.type === 'warning') io.err(`warning: ${event.message}\n`);
  });
  // The engine may run elsewhere (another working directory): it gets an absolute path.
  const results = await engine.call('images:load', { path: path.resolve(input) }).finally(() => warnings.close());
  for (const r of results) {
    if (r.references.length === 0) io.out(`Loaded image ID: ${r.id}\n`);
    for (const ref of r.references) io.out(`Loaded image: ${familiarReference(ref)}\n`);
  }
  return 0;
};

const rmi: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('rmi'));
  requireArgs(p, verb('rmi'), 1);
  let failed = 0;
  for (const ref of p.positionals) {
    try {
      const r = await engine.call('images:remove', { reference: ref, force: flagBool(p, 'force') });
      for (const u of r.untagged) io.out(`Untagged: ${u}\n`);
      for (const d of r.deleted) io.out(`Deleted: ${d}\n`);
    } catch (err) {
      failed++;
      io.err(formatError(err));
    }
  }
  return failed === 0 ? 0 : 1;
};

const image: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'ls':
    case 'list':
      return images(engine, rest, io);
    case 'rm':
      return rmi(engine, rest, io);
    case 'load':
      return load(engine, rest, io);
    case 'pull':
      return pull(engine, rest, io);
    case 'push':
      return push(engine, rest, io);
    case 'tag':
      return tag(engine, rest, io);
    case 'save':
      return save(engine, rest, io);
    case 'import':
      return importCmd(engine, rest, io);
    case 'build':
      return (await import('./build-commands.js')).build(engine, rest, io);
    case 'inspect':
      return typedInspect('image')(engine, rest, io);
    case 'history':
      return history(engine, rest, io);
    case 'prune':
      return prune(engine, rest, io);
    default:
      throw new UsageError(`unknown image command ${sub ? `"${sub}"` : ''}: use cove image ls|rm|load|pull|push|tag|save|import|build|inspect|history|prune`, 1, 'image');
  }
};

/** Reads a line from the terminal; `secret` keeps it from being echoed. */
async function prompt(question: string, secret: boolean): Promise<string> {
  const readline = await import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) {
    const iface = rl as unknown as { _writeToOutput: (s: string) => void };
    iface._writeToOutput = (s: string) => {
      if (s.includes(question)) process.stderr.write(s);
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    if (secret) process.stderr.write('\n');
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

const login: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('login'));
  const registry = p.positionals[0] ?? 'docker.io';
  let username = flagString(p, 'username');
  let password = flagString(p, 'password');
  if (flagBool(p, 'password-stdin')) {
    if (!username) throw new UsageError('--password-stdin needs --username (-u)');
    password = (await readStdin()).replace(/\r?\n$/, '');
  } else if (password !== undefined) {
    io.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  if ((!username || password === undefined) && !process.stdin.isTTY) {
    throw new UsageError('"login" needs credentials: cove login -u USER --password-stdin REGISTRY (or run it in a terminal to be asked)');
  }
  username ??= await prompt('Username: ', false);
  password ??= await prompt('Password: ', true);
  if (!username || !password) throw new UsageError('a user name and a password are required');
  const r = await engine.call('registries:login', { registry, username, password, ...(tlsVerify(p) ? {} : { tlsVerify: false }) });
  io.out(`Login Succeeded (${r.registry}; saved in ${r.file})\n`);
  return 0;
};

const logout: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('logout'));
  const registry = requireArgs(p, verb('logout'), 0, 1)[0] ?? 'docker.io';
  const r = await engine.call('registries:logout', { registry });
  for (const f of r.elsewhere) io.err(`Not removed: ${r.registry} also has credentials in ${f}, which belongs to docker (docker logout ${r.registry})\n`);
  if (r.removed.length === 0 && r.elsewhere.length === 0) {
    io.err(`Not logged in to ${r.registry}\n`);
    return 1;
  }
  if (r.removed.length > 0) io.out(`Removed login credentials for ${r.registry}\n`);
  return 0;
};

const push: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('push'));
  const [source, destination] = requireArgs(p, verb('push'), 1, 2) as [string, string | undefined];
  const final = await runTask(engine, io, flagBool(p, 'quiet'), () =>
    engine.call('images:push', { reference: source, ...(destination ? { destination } : {}), ...(tlsVerify(p) ? {} : { tlsVerify: false }) }),
  );
  const result = final.outcome;
  if (!result) return 1;
  io.out(`${familiarReference(result.reference)}: digest: ${result.digest}\n`);
  return 0;
};

const tag: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('tag'));
  const [source, target] = requireArgs(p, verb('tag'), 2, 2) as [string, string];
  await engine.call('images:tag', { source, target });
  void io;
  return 0;
};

const save: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('save'));
  const output = flagString(p, 'output');
  if (!output) throw new UsageError('"save" needs a file: cove save -o FILE [--format docker-archive|oci-archive] IMAGE...');
  const format = flagString(p, 'format') ?? 'docker-archive';
  if (format !== 'docker-archive' && format !== 'oci-archive') throw new UsageError(`--format is docker-archive or oci-archive, not ${format}`);
  requireArgs(p, verb('save'), 1);
  await engine.call('images:save', { references: p.positionals, path: path.resolve(output), format });
  void io;
  return 0;
};

const importCmd: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('import'));
  const [file, reference] = requireArgs(p, verb('import'), 1, 2) as [string, string | undefined];
  const message = flagString(p, 'message');
  const changes = flagList(p, 'change');
  const send = (file: string) => engine.call('images:import', { path: path.resolve(file), ...(reference ? { reference } : {}), ...(changes.length ? { changes } : {}), ...(message ? { message } : {}) });
  if (file !== '-') {
    io.out(`${(await send(file)).id}\n`);
    return 0;
  }
  // The engine reads files, not this process's stdin: the tarball goes through a private file (mkdtemp: 0700).
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cove-import-'));
  try {
    const spooled = path.join(dir, 'rootfs.tar');
    await pipeline(process.stdin, fs.createWriteStream(spooled, { mode: 0o600 }));
    io.out(`${(await send(spooled)).id}\n`);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  return 0;
};

const history: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('history'));
  const [q] = requireArgs(p, verb('history'), 1, 1) as [string];
  const steps = await engine.call('images:history', { reference: q });
  const noTrunc = flagBool(p, 'no-trunc');
  if (flagBool(p, 'quiet')) {
    io.out(steps.map((s) => (s.id ? (noTrunc ? s.id : shortId(s.id)) : '<missing>') + '\n').join(''));
    return 0;
  }
  const trunc = (t: string): string => (noTrunc || t.length <= 45 ? t : t.slice(0, 44) + '…');
  io.out(
    table(
      ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
      steps.map((s) => [s.id ? (noTrunc ? s.id : shortId(s.id)) : '<missing>', s.created ? `${humanDuration(Date.now() - Date.parse(s.created))} ago` : 'N/A', trunc(s.createdBy), humanSize(s.size), s.comment]),
    ),
  );
  return 0;
};

const prune: Command = async (engine, argv, io) => {
  const spec = verb('image prune');
  const p = parseArgs(argv, spec);
  requireArgs(p, spec, 0, 0);
  const all = flagBool(p, 'all');
  const warning = all ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
  if (!(await confirm(io, warning, flagBool(p, 'force'), 'cove image prune'))) return 0;
  const r = await engine.call('images:prune', { all });
  if (r.untagged.length + r.deleted.length > 0) io.out('Deleted Images:\n');
  for (const u of r.untagged) io.out(`untagged: ${u}\n`);
  for (const d of r.deleted) io.out(`deleted: ${d}\n`);
  if (r.deleted.length === 0) io.out('Nothing to prune\n');
  return 0;
};

export const IMAGE_COMMANDS: Record<string, Command> = {
  images,
  load,
  rmi,
  image,
  pull,
  push,
  tag,
  save,
  import: importCmd,
  login,
  logout,
  history,
};
