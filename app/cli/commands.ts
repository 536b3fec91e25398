import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import { EngineError } from '../engine/errors.js';
import { installPaths } from '../engine/install-paths.js';
import { parseCriLog } from '../engine/container/cri-log.js';
import { startWebServer } from '../server/web-server.js';
import { flagBool, flagList, flagString, parseArgs, UsageError, type FlagSpecs } from './args.js';
import { containersTable, imagesTable } from './format.js';
import { familiarReference } from '../engine/reference.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export type Command = (engine: Engine, argv: string[], io: Io) => Promise<number>;

const RUN_FLAGS: FlagSpecs = {
  detach: { short: 'd' },
  rm: {},
  name: { value: true },
  env: { short: 'e', value: true, multiple: true },
  'env-file': { value: true, multiple: true },
  network: { value: true },
  help: {},
};

async function readEnvFiles(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const text = await fsp.readFile(file, 'utf8').catch(() => {
      throw new EngineError('E_INVALID_ARGUMENT', `cannot read env file ${file}`);
    });
    for (const line of text.split('\n')) {
      const t = line.trim();
      if (t !== '' && !t.startsWith('#')) out.push(t);
    }
  }
  return out;
}

async function createFromArgs(engine: Engine, argv: string[]) {
  const p = parseArgs(argv, RUN_FLAGS, { stopAtPositional: true });
  const [image, ...command] = p.positionals;
  if (!image) throw new UsageError('"run" requires an image: cove run [OPTIONS] IMAGE [COMMAND] [ARG...]');
  const network = flagString(p, 'network') ?? 'none';
  if (network !== 'none') throw new EngineError('E_INVALID_ARGUMENT', `--network ${network} is not supported yet; only --network none`);
  const env = [...(await readEnvFiles(flagList(p, 'env-file'))), ...flagList(p, 'env')];
  const name = flagString(p, 'name');
  const record = await engine.containers.create({
    image,
    command: command.length > 0 ? command : undefined,
    env,
    ...(name !== undefined ? { name } : {}),
    autoRemove: flagBool(p, 'rm'),
  });
  return { p, record };
}

const run: Command = async (engine, argv, io) => {
  const { p, record } = await createFromArgs(engine, argv);
  if (flagBool(p, 'detach')) {
    try {
      await engine.containers.start(record.id);
    } catch (err) {
      if (record.autoRemove) await engine.containers.remove(record.id, true).catch(() => undefined);
      throw err;
    }
    io.out(record.id + '\n');
    return 0;
  }
  // Ctrl-C goes to the whole process group; the monitor forwards it to the container and we wait for its exit code.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  try {
    const { exitCode } = await engine.containers.startAttached(record.id);
    return await exitCode;
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
    if (record.autoRemove) await engine.containers.remove(record.id, true).catch(() => undefined);
  }
};

const create: Command = async (engine, argv, io) => {
  const { record } = await createFromArgs(engine, argv);
  io.out(record.id + '\n');
  return 0;
};

function needIds(positionals: string[], verb: string): string[] {
  if (positionals.length === 0) throw new UsageError(`"${verb}" requires at least one container`);
  return positionals;
}

/** Runs `fn` per argument like docker: print each success, report each failure, exit 1 if any failed. */
async function each(ids: string[], io: Io, fn: (id: string) => Promise<string>): Promise<number> {
  let failed = 0;
  for (const id of ids) {
    try {
      io.out((await fn(id)) + '\n');
    } catch (err) {
      failed++;
      io.err(formatError(err));
    }
  }
  return failed === 0 ? 0 : 1;
}

const start: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, {});
  return each(needIds(p.positionals, 'start'), io, async (id) => (await engine.containers.start(id), id));
};

const stop: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { time: { short: 't', value: true }, timeout: { value: true } });
  const t = flagString(p, 'time') ?? flagString(p, 'timeout');
  const seconds = t === undefined ? 10 : Number(t);
  if (!Number.isInteger(seconds) || seconds < 0) throw new UsageError(`invalid --time ${t}: give whole seconds`);
  return each(needIds(p.positionals, 'stop'), io, async (id) => (await engine.containers.stop(id, seconds), id));
};

const kill: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { signal: { short: 's', value: true } });
  return each(needIds(p.positionals, 'kill'), io, async (id) => (await engine.containers.kill(id, flagString(p, 'signal') ?? 'KILL'), id));
};

const rm: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { force: { short: 'f' }, volumes: { short: 'v' } });
  return each(needIds(p.positionals, 'rm'), io, async (id) => (await engine.containers.remove(id, flagBool(p, 'force')), id));
};

const waitCmd: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, {});
  return each(needIds(p.positionals, 'wait'), io, async (id) => String(await engine.containers.wait(id)));
};

const ps: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { all: { short: 'a' }, quiet: { short: 'q' }, 'no-trunc': {} });
  const list = await engine.containers.list(flagBool(p, 'all'));
  if (flagBool(p, 'quiet')) io.out(list.map((c) => (flagBool(p, 'no-trunc') ? c.id : c.id.slice(0, 12)) + '\n').join(''));
  else io.out(containersTable(list, flagBool(p, 'no-trunc')));
  return 0;
};

const logs: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { follow: { short: 'f' }, timestamps: { short: 't' }, tail: { short: 'n', value: true } });
  const [query] = p.positionals;
  if (!query || p.positionals.length > 1) throw new UsageError('"logs" requires exactly one container');
  const tailText = flagString(p, 'tail');
  const tail = tailText === undefined || tailText === 'all' ? undefined : Number(tailText);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new UsageError(`invalid --tail ${tailText}`);
  const stamps = flagBool(p, 'timestamps');
  const print = (line: { time: string; stream: string; text: string }): void => {
    const text = (stamps ? `${line.time} ` : '') + line.text + '\n';
    if (line.stream === 'stderr') io.err(text);
    else io.out(text);
  };
  const rec = await engine.containers.resolve(query);
  const file = engine.containers.logPath(rec.id);
  const initial = await fsp.readFile(file, 'utf8').catch(() => '');
  const complete = initial.slice(0, initial.lastIndexOf('\n') + 1);
  for (const line of await engine.containers.logs(rec.id, tail)) print(line);
  if (!flagBool(p, 'follow')) return 0;
  // Follow: read what the monitor appends until the container stops.
  let offset = Buffer.byteLength(complete);
  let carry = '';
  for (;;) {
    const running = (await engine.containers.status(rec.id)).state === 'running';
    const size = await fsp.stat(file).then((s) => s.size, () => 0);
    if (size < offset) offset = 0; // rotated
    if (size > offset) {
      const handle = await fsp.open(file, 'r');
      const buf = Buffer.alloc(size - offset);
      await handle.read(buf, 0, buf.length, offset);
      await handle.close();
      offset = size;
      const text = carry + buf.toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      carry = text.slice(cut);
      for (const line of parseCriLog(text.slice(0, cut))) print(line);
    }
    if (!running && size === offset) return 0;
    await sleep(100);
  }
};

const images: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { quiet: { short: 'q' }, 'no-trunc': {}, all: { short: 'a' } });
  const list = await engine.images.list();
  if (flagBool(p, 'quiet')) io.out(list.map((i) => (flagBool(p, 'no-trunc') ? i.id : i.id.slice(7, 19)) + '\n').join(''));
  else io.out(imagesTable(list, flagBool(p, 'no-trunc')));
  return 0;
};

const load: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { input: { short: 'i', value: true }, quiet: { short: 'q' } });
  const input = flagString(p, 'input') ?? p.positionals[0];
  if (!input) throw new UsageError('"load" requires an archive: cove load -i FILE (docker-archive, oci-archive or an OCI layout directory)');
  const quiet = flagBool(p, 'quiet');
  const results = await engine.images.load(input, (pr) => {
    if (quiet || pr.step !== 'layer') return;
    io.err(`Loading layer ${pr.layer}/${pr.layers}${pr.images > 1 ? ` of image ${pr.image}/${pr.images}` : ''}\n`);
  });
  for (const r of results) {
    if (r.references.length === 0) io.out(`Loaded image ID: ${r.id}\n`);
    for (const ref of r.references) io.out(`Loaded image: ${familiarReference(ref)}\n`);
  }
  return 0;
};

const rmi: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { force: { short: 'f' } });
  if (p.positionals.length === 0) throw new UsageError('"rmi" requires at least one image');
  let failed = 0;
  for (const ref of p.positionals) {
    try {
      const r = await engine.images.remove(ref, flagBool(p, 'force'), (id) => engine.containers.usersOfImage(id));
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
    default:
      throw new UsageError(`unknown image command ${sub ? `"${sub}"` : ''}: use cove image ls|rm|load`);
  }
};

const doctor: Command = async (engine, _argv, io) => {
  const checks = await engine.handle('system:doctor', {});
  let failed = false;
  for (const c of checks) {
    const mark = c.status === 'ok' ? 'OK  ' : c.status === 'warn' ? 'WARN' : 'FAIL';
    io.out(`${mark} ${c.name}: ${c.detail}\n`);
    if (c.fix) io.out(`     fix: ${c.fix}\n`);
    if (c.status === 'fail') failed = true;
  }
  return failed ? 1 : 0;
};

const serve: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { port: { short: 'p', value: true }, host: { value: true } });
  const portText = flagString(p, 'port');
  const port = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid --port ${portText}`);
  const staticDir = installPaths().rendererDir;
  if (!fs.existsSync(staticDir)) io.err(`warning: the UI is not built (${staticDir}); run npm run build\n`);
  const engineWithEvents = await (await import('../engine/engine.js')).Engine.open({ home: engine.paths.home, watch: true });
  const server = await startWebServer({ engine: engineWithEvents, staticDir, port, ...(flagString(p, 'host') ? { host: flagString(p, 'host') } : {}) }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new EngineError('E_INVALID_ARGUMENT', `port ${port} is already in use; pick another with --port or omit it`);
    throw err;
  });
  io.out(`Cove web UI: ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stopServer = (): void => resolve();
    process.once('SIGINT', stopServer);
    process.once('SIGTERM', stopServer);
  });
  await server.close();
  await engineWithEvents.close();
  return 0;
};

export const COMMANDS: Record<string, Command> = {
  run,
  create,
  start,
  stop,
  kill,
  rm,
  wait: waitCmd,
  ps,
  logs,
  images,
  load,
  rmi,
  image,
  doctor,
  serve,
};

export function formatError(err: unknown): string {
  if (err instanceof EngineError) return `Error: ${err.message} [${err.code}]\n`;
  if (err instanceof UsageError) return `Error: ${err.message}\nSee 'cove --help'.\n`;
  const e = err as Error;
  return `Error: ${e?.message ?? String(err)} [E_INTERNAL]\n`;
}
