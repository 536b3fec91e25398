import fsp from 'node:fs/promises';
import type { ContainerSummary, LogLine, RunOptions } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import type { CliEngine } from './cli-engine.js';
import { flagBool, flagList, flagString, parseArgs, requireArgs, UsageError, type VerbSpec } from './args.js';
import { verb } from './verbs.js';
import { networkOptions } from './network-flags.js';
import { renderList } from './template-output.js';
import { PS_FORMAT, psRow, type ContainerExtras } from './list-rows.js';
import { imageIdsMatching, parseFilters, PS_FILTERS, psFilter, psFiltersImplyAll } from './list-filters.js';
import { shortId } from '../engine/digest.js';
import { awaitHeld, each, errorCode, type Command, type Io } from './cli-kit.js';
import { healthFlags } from './health-flags.js';

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

async function createFromArgs(engine: CliEngine, argv: string[], spec: VerbSpec, io: Io) {
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
    ...networkOptions([...flagList(p, 'network'), ...flagList(p, 'net')], flagList(p, 'network-alias'), flagString(p, 'ip')),
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
    ...opt(flagList(p, 'dns').length ? flagList(p, 'dns') : undefined, 'dns'),
    ...opt(healthFlags(p), 'healthcheck'),
  };
  const pull = flagString(p, 'pull') ?? 'missing';
  if (!['always', 'missing', 'never'].includes(pull)) throw new UsageError(`invalid --pull "${pull}": use always, missing or never`);
  const quiet = flagBool(p, 'quiet');
  // The pull code loads only when a pull happens: `run` of a present image stays on the short path.
  const pullImage = async (): Promise<void> => void (await (await import('./image-commands.js')).pullImage(engine, io, image, { quiet }));
  if (pull === 'always') await pullImage();
  try {
    return { p, record: await engine.call('containers:create', options) };
  } catch (err) {
    // docker's default (--pull missing): an image that is not here is pulled, then the create is retried.
    if (pull !== 'missing' || errorCode(err) !== 'E_IMAGE_NOT_FOUND') throw err;
  }
  io.err(`Unable to find image '${image}' locally\n`);
  await pullImage();
  return { p, record: await engine.call('containers:create', options) };
}

/** --rm: the container goes when it has run (or failed to start). */
/**
 * Starts a container attached without a terminal and waits for its exit code. Ctrl-C goes to the whole
 * process group and the monitor forwards it to the container, so this process ignores it and waits;
 * `after` runs however it ends (`--rm`'s removal).
 */
export async function startAttachedWaiting(local: Awaited<ReturnType<CliEngine['local']>>, id: string, after: () => Promise<void>): Promise<number> {
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  try {
    const { exitCode } = await local.containers.startAttached(id);
    return await exitCode;
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
    await after();
  }
}

async function removeIfAuto(engine: CliEngine, options: { autoRemove: boolean }, record: ContainerSummary): Promise<void> {
  if (options.autoRemove) await engine.call('containers:remove', { id: record.id, force: true }).catch(() => undefined);
}

const run: Command = async (engine, argv, io) => {
  const { p, record } = await createFromArgs(engine, argv, verb('run'), io);
  const autoRemove = { autoRemove: flagBool(p, 'rm') };
  if (flagBool(p, 'detach')) {
    // The engine starts it (and takes an --rm container back if the start fails).
    try {
      await engine.call('containers:start', { id: record.id });
    } catch (err) {
      await removeIfAuto(engine, autoRemove, record);
      throw err;
    }
    io.out(record.id + '\n');
    return 0;
  }
  // Attached runs hold this process's terminal or output: the start happens here.
  const local = await engine.local();
  if (flagBool(p, 'tty') || flagBool(p, 'interactive')) {
    return local.containers.startAndAttach(record.id, flagString(p, 'detach-keys'));
  }
  return startAttachedWaiting(local, record.id, () => removeIfAuto(engine, autoRemove, record));
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
    await engine.call('containers:start', { id }).catch((err: unknown) => {
      if (errorCode(err) !== 'E_CONTAINER_RUNNING') throw err;
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
  return each(needIds(p, 'stop'), io, async (id) => (await engine.call('containers:stop', { id, ...(seconds !== undefined ? { timeoutSeconds: seconds } : {}) }), id));
};

const kill: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('kill'));
  return each(needIds(p, 'kill'), io, async (id) => (await engine.call('containers:kill', { id, signal: flagString(p, 'signal') ?? 'KILL' }), id));
};

const rm: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('rm'));
  return each(needIds(p, 'rm'), io, async (id) => (await engine.call('containers:remove', { id, force: flagBool(p, 'force'), volumes: flagBool(p, 'volumes') }), id));
};

const waitCmd: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('wait'));
  return each(needIds(p, 'wait'), io, async (id) => String((await engine.call('containers:wait', { id })).exitCode));
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
  let list = await engine.call('containers:list', { all });
  if (filters.has('ancestor')) {
    const images = await engine.call('images:list', {});
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
  // -s: the container's writable layer, as docker's SizeRw (the engine measures its upper directory).
  const sizes = flagBool(p, 'size') ? new Map((await engine.call('system:df', {})).containerSizes.map((c) => [c.id, c.size])) : undefined;
  const sizeOf = sizes ? (id: string): number => sizes.get(id) ?? 0 : undefined;
  const rows = [];
  for (const c of list) {
    const extras = needExtras ? await containerExtras(engine, c.id) : undefined;
    const size = sizeOf?.(c.id);
    rows.push(psRow(c, { noTrunc, ...(extras ? { extras } : {}), ...(size !== undefined ? { size } : {}) }));
  }
  io.out(renderList(format ?? (sizeOf ? `${PS_FORMAT.defaultFormat}\t{{.Size}}` : undefined), PS_FORMAT, rows));
  return 0;
};

async function containerExtras(engine: CliEngine, id: string): Promise<ContainerExtras> {
  const view = await engine.call('containers:inspect', { id }).catch(() => undefined);
  const mounts = (view?.Mounts ?? []).filter((m) => m.Type !== 'tmpfs').map((m) => m.Source);
  const network = view?.HostConfig.NetworkMode;
  return { mounts, networks: network ? [network] : [] };
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
  if (!flagBool(p, 'follow')) {
    for (const line of await engine.call('containers:logs', { id: query, ...(tail !== undefined ? { tail } : {}) })) print(line);
    return 0;
  }
  return followLogs(engine, query, tail, print);
};

/**
 * logs -f: the engine's follower (inotify, across rotations) sends new
 * lines; like docker, it ends when the container is no longer running.
 */
async function followLogs(engine: CliEngine, query: string, tail: number | undefined, print: (line: LogLine) => void): Promise<number> {
  const { Id: id } = await engine.call('containers:inspect', { id: query });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let checking = false;
  const endIfStopped = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    const view = await engine.call('containers:inspect', { id }).catch(() => null);
    checking = false;
    // The monitor writes the last lines before it records the exit: give the follower a beat to pass them on.
    if (!view || !view.State.Running) setTimeout(finish, 150);
  };
  const events = await engine.subscribe('events:subscribe', { types: ['container'] }, (e) => {
    if (e.type === 'container' && e.id === id) void endIfStopped();
  });
  const follow = await engine.subscribe('logs:follow', { id, ...(tail !== undefined ? { tail } : { tail: 100_000 }) }, (e) => {
    if (e.type !== 'logs') return;
    for (const line of e.lines) print(line);
    if (e.ended) finish();
  });
  for (const line of follow.result.lines) print(line);
  const stop = (): void => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await endIfStopped();
  await awaitHeld(done);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await Promise.all([follow.close(), events.close()]);
  return 0;
}

const exec: Command = async (engine, argv) => {
  const p = parseArgs(argv, verb('exec'));
  const [query, ...command] = requireArgs(p, verb('exec'), 2) as [string, ...string[]];
  const user = flagString(p, 'user');
  const cwd = flagString(p, 'workdir');
  // The exec'd process runs on this process's terminal (or pipes).
  return (await engine.local()).containers.exec(query, {
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
  return each(needIds(p, 'restart'), io, async (id) => (await engine.call('containers:restart', { id, ...(seconds !== undefined ? { timeoutSeconds: seconds } : {}) }), id));
};

const attach: Command = async (engine, argv) => {
  const p = parseArgs(argv, verb('attach'));
  const [query] = requireArgs(p, verb('attach'), 1, 1) as [string];
  const keys = flagString(p, 'detach-keys');
  return (await engine.local()).containers.attach(query, {
    ...(keys !== undefined ? { detachKeys: keys } : {}),
    noStdin: flagBool(p, 'no-stdin'),
    sigProxy: flagString(p, 'sig-proxy') !== 'false',
  });
};

/** Internal: the monitor's exit command (restart policy, --rm). Not for people. */
const containerExited: Command = async (engine, argv) => {
  const [id] = argv;
  if (!id) throw new UsageError('container-exited needs a container id');
  // The monitor's own hook: it acts on this store directly (restart policy, --rm), whatever else runs.
  await (await engine.local()).containers.exited(id);
  return 0;
};

export const CONTAINER_COMMANDS: Record<string, Command> = {
  'container-exited': containerExited, attach, run, create, start, stop, restart, kill, rm, wait: waitCmd, ps, logs, exec };
