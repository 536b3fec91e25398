import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import type { RunOptions } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import { takeCompleteRecords } from '../engine/logs/cri-tail.js';
import { flagBool, flagList, flagString, parseArgs, requireArgs, UsageError, type VerbSpec } from './args.js';
import { verb } from './verbs.js';
import { renderList } from './template-output.js';
import { PS_FORMAT, psRow, type ContainerExtras } from './list-rows.js';
import { imageIdsMatching, parseFilters, PS_FILTERS, psFilter, psFiltersImplyAll } from './list-filters.js';
import { shortId } from '../engine/digest.js';
import { each, type Command, type Io } from './cli-kit.js';

function numberFlag(p: ReturnType<typeof parseArgs>, name: string, integer: boolean): number | undefined {
  const v = flagString(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`invalid --${name} ${v}: give a ${integer ? 'whole ' : ''}number`);
  return n;
}

/** docker --log-opt KEY=VALUE; Cove's log driver knows max-size. */
function logMaxSize(opts: string[]): string | undefined {
  let size: string | undefined;
  for (const o of opts) {
    const [k, v] = o.split(/=(.*)/s, 2);
    if (k === 'max-size' && v) size = v;
    else throw new UsageError(`unsupported --log-opt ${o}: Cove's log knows max-size=SIZE (it keeps one rotated file)`);
  }
  return size;
}

function labels(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf('=');
    out[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return out;
}

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

async function createFromArgs(engine: Engine, argv: string[], spec: VerbSpec, io: Io) {
  const p = parseArgs(argv, spec);
  const [image, ...command] = requireArgs(p, spec, 1);
  const env = [...(await readEnvFiles(flagList(p, 'env-file'))), ...flagList(p, 'env')];
  const opt = <T>(value: T | undefined, key: string): Record<string, T> => (value === undefined ? {} : { [key]: value });
  const entrypoint = flagString(p, 'entrypoint');
  const options: RunOptions = {
    image,
    env,
    autoRemove: flagBool(p, 'rm'),
    ...opt(command.length > 0 ? command : undefined, 'command'),
    ...opt(logMaxSize(flagList(p, 'log-opt')), 'logMaxSize'),
    ...opt(flagBool(p, 'tty') || undefined, 'tty'),
    ...opt(flagBool(p, 'interactive') || undefined, 'interactive'),
    ...opt(flagString(p, 'name'), 'name'),
    ...opt(flagString(p, 'runtime'), 'runtime'),
    ...opt(flagString(p, 'network') ?? flagString(p, 'net'), 'network'),
    ...opt(flagList(p, 'publish').length ? flagList(p, 'publish') : undefined, 'ports'),
    ...opt(flagBool(p, 'publish-all') || undefined, 'publishAll'),
    ...opt(flagList(p, 'volume').length ? flagList(p, 'volume') : undefined, 'volumes'),
    ...opt(flagList(p, 'mount').length ? flagList(p, 'mount') : undefined, 'mounts'),
    ...opt(flagList(p, 'tmpfs').length ? flagList(p, 'tmpfs') : undefined, 'tmpfs'),
    ...opt(flagString(p, 'workdir'), 'workdir'),
    ...opt(flagString(p, 'user'), 'user'),
    // docker: --entrypoint is one program; an empty string resets the image's.
    ...opt(entrypoint === undefined ? undefined : entrypoint === '' ? [] : [entrypoint], 'entrypoint'),
    ...opt(flagList(p, 'label').length ? labels(flagList(p, 'label')) : undefined, 'labels'),
    ...opt(flagString(p, 'restart'), 'restart'),
    ...opt(flagString(p, 'stop-signal'), 'stopSignal'),
    ...opt(numberFlag(p, 'stop-timeout', true), 'stopTimeout'),
    ...opt(flagBool(p, 'init') || undefined, 'init'),
    ...opt(flagBool(p, 'read-only') || undefined, 'readOnly'),
    ...opt(flagList(p, 'cap-add').length ? flagList(p, 'cap-add') : undefined, 'capAdd'),
    ...opt(flagList(p, 'cap-drop').length ? flagList(p, 'cap-drop') : undefined, 'capDrop'),
    ...opt(flagList(p, 'security-opt').length ? flagList(p, 'security-opt') : undefined, 'securityOpt'),
    ...opt(flagString(p, 'memory'), 'memory'),
    ...opt(numberFlag(p, 'cpus', false), 'cpus'),
    ...opt(numberFlag(p, 'pids-limit', true), 'pidsLimit'),
    ...opt(flagString(p, 'memory-swap'), 'memorySwap'),
    ...opt(numberFlag(p, 'cpu-shares', true), 'cpuShares'),
    ...opt(flagString(p, 'hostname'), 'hostname'),
    ...opt(flagList(p, 'add-host').length ? flagList(p, 'add-host') : undefined, 'addHost'),
    ...opt(flagList(p, 'network-alias').length ? flagList(p, 'network-alias') : undefined, 'networkAliases'),
    ...opt(flagString(p, 'ip'), 'ip'),
    ...opt(flagList(p, 'dns').length ? flagList(p, 'dns') : undefined, 'dns'),
  };
  const pull = flagString(p, 'pull') ?? 'missing';
  if (!['always', 'missing', 'never'].includes(pull)) throw new UsageError(`invalid --pull "${pull}": use always, missing or never`);
  const quiet = flagBool(p, 'quiet');
  // The pull code loads only when a pull happens: `run` of a present image stays on the short path.
  const pullImage = async (): Promise<void> => void (await (await import('./image-commands.js')).pullImage(engine, io, image, { quiet }));
  if (pull === 'always') await pullImage();
  try {
    return { p, record: await engine.containers.create(options) };
  } catch (err) {
    // docker's default (--pull missing): an image that is not here is pulled, then the create is retried.
    if (pull !== 'missing' || !(err instanceof EngineError) || err.code !== 'E_IMAGE_NOT_FOUND') throw err;
  }
  io.err(`Unable to find image '${image}' locally\n`);
  await pullImage();
  return { p, record: await engine.containers.create(options) };
}

const run: Command = async (engine, argv, io) => {
  const { p, record } = await createFromArgs(engine, argv, verb('run'), io);
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
  if (flagBool(p, 'tty') || flagBool(p, 'interactive')) {
    return engine.containers.startAndAttach(record.id, flagString(p, 'detach-keys'));
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
  const { record } = await createFromArgs(engine, argv, verb('create'), io);
  io.out(record.id + '\n');
  return 0;
};

function needIds(p: ReturnType<typeof parseArgs>, name: string): string[] {
  return requireArgs(p, verb(name), 1);
}

const start: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('start'));
  // docker start of a running container is a no-op that succeeds (it prints the name).
  const startOne = async (id: string): Promise<string> => {
    await engine.containers.start(id).catch((err: unknown) => {
      if (!(err instanceof EngineError && err.code === 'E_CONTAINER_RUNNING')) throw err;
    });
    return id;
  };
  return each(needIds(p, 'start'), io, startOne);
};

const stop: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('stop'));
  const t = flagString(p, 'time') ?? flagString(p, 'timeout');
  const seconds = t === undefined ? undefined : Number(t);
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 0)) throw new UsageError(`invalid --time ${t}: give whole seconds`);
  return each(needIds(p, 'stop'), io, async (id) => (await engine.containers.stop(id, seconds), id));
};

const kill: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('kill'));
  return each(needIds(p, 'kill'), io, async (id) => (await engine.containers.kill(id, flagString(p, 'signal') ?? 'KILL'), id));
};

const rm: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('rm'));
  return each(needIds(p, 'rm'), io, async (id) => (await engine.containers.remove(id, flagBool(p, 'force'), flagBool(p, 'volumes')), id));
};

const waitCmd: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('wait'));
  return each(needIds(p, 'wait'), io, async (id) => String(await engine.containers.wait(id)));
};

const ps: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('ps'));
  requireArgs(p, verb('ps'), 0, 0);
  const filters = parseFilters(flagList(p, 'filter'), PS_FILTERS);
  const noTrunc = flagBool(p, 'no-trunc');
  const lastText = flagString(p, 'last');
  const last = flagBool(p, 'latest') ? 1 : lastText === undefined ? undefined : Number(lastText);
  if (last !== undefined && (!Number.isInteger(last) || last < -1)) throw new UsageError(`invalid argument "${lastText}" for "-n, --last" flag`);
  const all = flagBool(p, 'all') || psFiltersImplyAll(filters) || (last !== undefined && last >= 0);
  let list = await engine.containers.list(all);
  if (filters.has('ancestor')) {
    const images = await engine.images.list();
    list = list.filter(psFilter(filters, (q) => imageIdsMatching(q, images)));
  } else list = list.filter(psFilter(filters, () => new Set()));
  // Newest first, as docker lists them; -n N keeps the N last created.
  list.sort((x, y) => y.createdAt.localeCompare(x.createdAt));
  if (last !== undefined && last >= 0) list = list.slice(0, last);
  if (flagBool(p, 'quiet')) {
    io.out(list.map((c) => (noTrunc ? c.id : shortId(c.id)) + '\n').join(''));
    return 0;
  }
  const format = flagString(p, 'format');
  // Mounts and networks live in each container's record: read them only when the format asks.
  const needExtras = format !== undefined && /Mounts|Networks|LocalVolumes|json/.test(format);
  // -s: the container's writable layer, as docker's SizeRw (its upper directory here).
  const sizeOf = flagBool(p, 'size') ? (await import('./store-commands.js')).duBestEffort : undefined;
  const rows = [];
  for (const c of list) {
    const extras = needExtras ? await containerExtras(engine, c.id) : undefined;
    const size = sizeOf?.(path.join(engine.paths.home, 'containers', c.id, 'upper'));
    rows.push(psRow(c, { noTrunc, ...(extras ? { extras } : {}), ...(size !== undefined ? { size } : {}) }));
  }
  io.out(renderList(format ?? (sizeOf ? `${PS_FORMAT.defaultFormat}\t{{.Size}}` : undefined), PS_FORMAT, rows));
  return 0;
};

async function containerExtras(engine: Engine, id: string): Promise<ContainerExtras> {
  const rec = await engine.containers.resolve(id).catch(() => undefined);
  const mounts = (rec?.config?.mounts ?? []).filter((m) => m.type !== 'tmpfs').map((m) => (m.type === 'volume' ? (m.source ?? '') : m.source));
  return { mounts, networks: rec?.config?.network ? [rec.config.network] : [] };
}

const logs: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('logs'));
  const [query] = requireArgs(p, verb('logs'), 1, 1) as [string];
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
      const { lines, rest } = takeCompleteRecords(carry + buf.toString('utf8'));
      carry = rest;
      for (const line of lines) print(line);
    }
    if (!running && size === offset) return 0;
    await sleep(100);
  }
};

const exec: Command = async (engine, argv) => {
  const p = parseArgs(argv, verb('exec'));
  const [query, ...command] = requireArgs(p, verb('exec'), 2) as [string, ...string[]];
  const user = flagString(p, 'user');
  const cwd = flagString(p, 'workdir');
  return engine.containers.exec(query, {
    command,
    ...(user !== undefined ? { user } : {}),
    ...(cwd !== undefined ? { cwd } : {}),
    env: flagList(p, 'env'),
    tty: flagBool(p, 'tty'),
    interactive: flagBool(p, 'interactive'),
  });
};

const restart: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('restart'));
  const t = flagString(p, 'time');
  const seconds = t === undefined ? undefined : Number(t);
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 0)) throw new UsageError(`invalid --time ${t}: give whole seconds`);
  return each(needIds(p, 'restart'), io, async (id) => (await engine.containers.restart(id, seconds), id));
};

const attach: Command = async (engine, argv) => {
  const p = parseArgs(argv, verb('attach'));
  const [query] = requireArgs(p, verb('attach'), 1, 1) as [string];
  const keys = flagString(p, 'detach-keys');
  return engine.containers.attach(query, {
    ...(keys !== undefined ? { detachKeys: keys } : {}),
    noStdin: flagBool(p, 'no-stdin'),
    sigProxy: flagString(p, 'sig-proxy') !== 'false',
  });
};

/** Internal: the monitor's exit command (restart policy, --rm). Not for people. */
const containerExited: Command = async (engine, argv) => {
  const [id] = argv;
  if (!id) throw new UsageError('container-exited needs a container id');
  await engine.containers.exited(id);
  return 0;
};

export const CONTAINER_COMMANDS: Record<string, Command> = {
  'container-exited': containerExited, attach, run, create, start, stop, restart, kill, rm, wait: waitCmd, ps, logs, exec };
