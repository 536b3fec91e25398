// `cove compose`: docker compose v2's verbs and flags. The orchestration
// runs in the engine (compose:* methods); this module only parses, sends the
// caller's environment and working directory, and prints. exec and run reuse
// the terminal paths of `cove exec` and `cove run`.
import fs from 'node:fs';
import type { ComposeContainer, ComposeTarget } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import { shortId } from '../engine/digest.js';
import type { CliEngine } from './cli-engine.js';
import { flagBool, flagList, flagString, parseArgs, requireArgs, UsageError, type Parsed } from './args.js';
import { confirm, untilInterrupted, errorCode, formatError, type Command, type Io } from './cli-kit.js';
import { followLogs, logPrinter, printLogs, runComposeTask } from './compose-output.js';
import { startAttachedWaiting } from './container-commands.js';
import { humanSize, table } from './format.js';
import { psRow } from './list-rows.js';
import { renderList, type ListFormat } from './template-output.js';
import { verb } from './verbs.js';

type Sub = (engine: CliEngine, target: ComposeTarget, argv: string[], io: Io) => Promise<number>;

function target(g: Parsed): ComposeTarget {
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (typeof v === 'string') environment[k] = v;
  const name = flagString(g, 'project-name');
  const dir = flagString(g, 'project-directory');
  return {
    files: flagList(g, 'file'),
    ...(name !== undefined ? { projectName: name } : {}),
    ...(dir !== undefined ? { projectDirectory: dir } : {}),
    profiles: flagList(g, 'profile'),
    envFiles: flagList(g, 'env-file'),
    environment,
    cwd: process.cwd(),
  };
}

function intFlag(p: Parsed, name: string): number | undefined {
  const v = flagString(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`invalid --${name} ${v}: give a whole number`);
  return n;
}

function tailFlag(p: Parsed): number | undefined {
  const t = flagString(p, 'tail');
  if (t === undefined || t === 'all' || t === '-1') return undefined;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`invalid --tail ${t}`);
  return n;
}

async function containersOf(engine: CliEngine, t: ComposeTarget, services: string[], all: boolean): Promise<ComposeContainer[]> {
  return engine.call('compose:ps', { ...t, all, ...(services.length > 0 ? { services } : {}) });
}

/** The service's container for exec/port (`--index`), running. */
async function serviceContainer(engine: CliEngine, t: ComposeTarget, service: string, index: number): Promise<ComposeContainer> {
  const c = (await containersOf(engine, t, [service], false)).find((x) => x.number === index && !x.oneoff);
  if (!c) throw new EngineError('E_CONTAINER_NOT_FOUND', `service "${service}" is not running${index > 1 ? ` (replica ${index})` : ''}`);
  return c;
}

/** The global --ansi: never, always, or auto (colour on a terminal unless NO_COLOR). */
let ansi = 'auto';
const useColor = (p: Parsed): boolean => !flagBool(p, 'no-color') && (ansi === 'always' || (ansi === 'auto' && process.stdout.isTTY === true && !process.env.NO_COLOR));

const up: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose up'));
  const scale: Record<string, number> = {};
  for (const s of flagList(p, 'scale')) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m) throw new UsageError(`invalid --scale ${s}: use SERVICE=NUM`);
    scale[m[1] as string] = Number(m[2]);
  }
  const pull = flagString(p, 'pull');
  if (pull !== undefined && !['always', 'missing', 'never', 'policy'].includes(pull)) throw new UsageError(`invalid --pull ${pull}: use always, missing or never`);
  if (flagBool(p, 'force-recreate') && flagBool(p, 'no-recreate')) throw new UsageError('--force-recreate and --no-recreate are incompatible');
  const services = p.positionals;
  await runComposeTask(engine, io, false, () =>
    engine.call('compose:up', {
      ...t,
      ...(services.length > 0 ? { services } : {}),
      build: flagBool(p, 'build'),
      forceRecreate: flagBool(p, 'force-recreate'),
      noRecreate: flagBool(p, 'no-recreate'),
      noDeps: flagBool(p, 'no-deps'),
      removeOrphans: flagBool(p, 'remove-orphans'),
      wait: flagBool(p, 'wait'),
      noStart: flagBool(p, 'no-start'),
      ...(Object.keys(scale).length > 0 ? { scale } : {}),
      ...(pull !== undefined && pull !== 'policy' ? { pull: pull as 'always' | 'missing' | 'never' } : {}),
    }),
  );
  if (flagBool(p, 'detach') || flagBool(p, 'wait') || flagBool(p, 'no-start')) return 0;
  // Attached: the services' merged logs until they all stop or Ctrl-C, which stops them (as docker compose up).
  const containers = await containersOf(engine, t, services, false);
  let interrupted = false;
  const onInt = (): void => void (interrupted = true);
  process.once('SIGINT', onInt);
  io.out(`Attaching to ${containers.map((c) => c.name).join(', ')}\n`);
  await followLogs(engine, containers, logPrinter(io, containers, { color: useColor(p), prefix: true, timestamps: false }), undefined);
  process.off('SIGINT', onInt);
  if (interrupted) {
    io.err('Gracefully stopping... (press Ctrl+C again to force)\n');
    const timeout = intFlag(p, 'timeout');
    await runComposeTask(engine, io, false, () => engine.call('compose:action', { ...t, action: 'stop', ...(services.length > 0 ? { services } : {}), ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) }));
  }
  return 0;
};

const down: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose down'));
  const rmi = flagString(p, 'rmi');
  if (rmi !== undefined && rmi !== 'local' && rmi !== 'all') throw new UsageError(`invalid --rmi ${rmi}: use local or all`);
  const timeout = intFlag(p, 'timeout');
  await runComposeTask(engine, io, false, () =>
    engine.call('compose:down', { ...t, volumes: flagBool(p, 'volumes'), removeOrphans: flagBool(p, 'remove-orphans'), ...(rmi ? { rmi } : {}), ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) }),
  );
  return 0;
};

const action =
  (name: 'start' | 'stop' | 'restart' | 'kill' | 'rm' | 'pause' | 'unpause'): Sub =>
  async (engine, t, argv, io) => {
    const p = parseArgs(argv, verb(`compose ${name}`));
    const services = p.positionals;
    const timeout = intFlag(p, 'timeout');
    const signal = flagString(p, 'signal');
    // docker compose rm names what it will remove and asks first (-f skips the question).
    if (name === 'rm') {
      const doomed = (await containersOf(engine, t, services, true)).filter((c) => flagBool(p, 'stop') || c.state !== 'running');
      if (doomed.length === 0) {
        io.err('No stopped containers\n');
        return 0;
      }
      if (!(await confirm(io, `Going to remove ${doomed.map((c) => c.name).join(', ')}`, flagBool(p, 'force'), 'cove compose rm'))) return 0;
    }
    await runComposeTask(engine, io, false, () =>
      engine.call('compose:action', {
        ...t,
        action: name,
        ...(services.length > 0 ? { services } : {}),
        ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        ...(signal !== undefined ? { signal } : {}),
        ...(name === 'rm' ? { force: flagBool(p, 'stop'), volumes: flagBool(p, 'volumes') } : {}),
      }),
    );
    return 0;
  };

const PS_COMPOSE: ListFormat = {
  defaultFormat: 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}',
  headers: { ID: 'CONTAINER ID', Name: 'NAME', Names: 'NAMES', Image: 'IMAGE', Command: 'COMMAND', Service: 'SERVICE', RunningFor: 'CREATED', CreatedAt: 'CREATED AT', Status: 'STATUS', State: 'STATE', Health: 'HEALTH', Ports: 'PORTS', Project: 'PROJECT' },
};

/** docker's status words with the health, `Up 2 minutes (healthy)`, whether or not the engine's status says it. */
function statusWithHealth(c: ComposeContainer): string {
  if (!c.health || c.state !== 'running' || /\((healthy|unhealthy|health: starting)\)/.test(c.status)) return c.status;
  return `${c.status} (${c.health === 'starting' ? 'health: starting' : c.health})`;
}

const ps: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose ps'));
  const list = await containersOf(engine, t, p.positionals, flagBool(p, 'all'));
  if (flagBool(p, 'services')) {
    for (const s of [...new Set(list.map((c) => c.service))]) io.out(`${s}\n`);
    return 0;
  }
  if (flagBool(p, 'quiet')) {
    for (const c of list) io.out(`${c.id}\n`);
    return 0;
  }
  const rows = list.map((c) => ({ ...psRow(c, { noTrunc: false }), Name: c.name, Service: c.service, Project: c.project, Health: c.health ?? '', Status: statusWithHealth(c) }));
  io.out(renderList(flagString(p, 'format'), PS_COMPOSE, rows));
  return 0;
};

const logs: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose logs'));
  const containers = await containersOf(engine, t, p.positionals, true);
  const printer = logPrinter(io, containers, { color: useColor(p), prefix: !flagBool(p, 'no-log-prefix'), timestamps: flagBool(p, 'timestamps') });
  const tail = tailFlag(p);
  if (flagBool(p, 'follow')) await followLogs(engine, containers, printer, tail);
  else await printLogs(engine, containers, printer, tail);
  return 0;
};

const build: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose build'));
  await runComposeTask(engine, io, flagBool(p, 'quiet'), () => engine.call('compose:build', { ...t, ...(p.positionals.length > 0 ? { services: p.positionals } : {}), noCache: flagBool(p, 'no-cache'), pull: flagBool(p, 'pull') }));
  return 0;
};

const pull: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose pull'));
  await runComposeTask(engine, io, flagBool(p, 'quiet'), () => engine.call('compose:pull', { ...t, ...(p.positionals.length > 0 ? { services: p.positionals } : {}), ignoreFailures: flagBool(p, 'ignore-pull-failures') }));
  return 0;
};

const push: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose push'));
  await runComposeTask(engine, io, flagBool(p, 'quiet'), () => engine.call('compose:push', { ...t, ...(p.positionals.length > 0 ? { services: p.positionals } : {}) }));
  return 0;
};

const exec: Sub = async (engine, t, argv) => {
  const p = parseArgs(argv, verb('compose exec'));
  const [service, ...command] = requireArgs(p, verb('compose exec'), 2) as [string, ...string[]];
  const c = await serviceContainer(engine, t, service, intFlag(p, 'index') ?? 1);
  const user = flagString(p, 'user');
  const cwd = flagString(p, 'workdir');
  // As `cove exec`: the process runs on this process's terminal; compose allocates a TTY unless -T (or no terminal).
  return (await engine.local()).containers.exec(c.id, {
    command,
    ...(user !== undefined ? { user } : {}),
    ...(cwd !== undefined ? { cwd } : {}),
    env: flagList(p, 'env'),
    tty: !flagBool(p, 'no-TTY') && process.stdin.isTTY === true && process.stdout.isTTY === true,
    interactive: true,
  });
};

const run: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose run'));
  const [service, ...command] = requireArgs(p, verb('compose run'), 1) as [string, ...string[]];
  const labels: Record<string, string> = {};
  for (const l of flagList(p, 'label')) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const detach = flagBool(p, 'detach');
  const tty = !detach && !flagBool(p, 'no-TTY') && process.stdin.isTTY === true && process.stdout.isTTY === true;
  const entrypoint = flagString(p, 'entrypoint');
  const name = flagString(p, 'name');
  const user = flagString(p, 'user');
  const workdir = flagString(p, 'workdir');
  const record = await engine.call('compose:run', {
    ...t,
    service,
    ...(command.length > 0 ? { command } : {}),
    ...(entrypoint !== undefined ? { entrypoint: entrypoint === '' ? [''] : [entrypoint] } : {}),
    env: flagList(p, 'env'),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(workdir !== undefined ? { workdir } : {}),
    rm: flagBool(p, 'rm'),
    noDeps: flagBool(p, 'no-deps'),
    tty,
    interactive: !detach,
    servicePorts: flagBool(p, 'service-ports'),
    publish: flagList(p, 'publish'),
    volumes: flagList(p, 'volume'),
  });
  const remove = async (): Promise<void> => {
    if (flagBool(p, 'rm')) await engine.call('containers:remove', { id: record.id, force: true }).catch(() => undefined);
  };
  if (detach) {
    await engine.call('containers:start', { id: record.id });
    io.out(`${record.name}\n`);
    return 0;
  }
  // As `cove run`: the attached container holds this process's terminal or pipes.
  const local = await engine.local();
  if (tty) return local.containers.startAndAttach(record.id);
  return startAttachedWaiting(local, record.id, remove);
};

const config: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose config'));
  const r = await engine.call('compose:config', t);
  for (const w of r.warnings) io.err(`WARN[0000] ${w}\n`);
  if (flagBool(p, 'quiet')) return 0;
  const text = flagBool(p, 'services') ? r.services.map((s) => `${s}\n`).join('') : r.yaml;
  const output = flagString(p, 'output');
  if (output) fs.writeFileSync(output, text);
  else io.out(text);
  return 0;
};

const ls: Sub = async (engine, _t, argv, io) => {
  const p = parseArgs(argv, verb('compose ls'));
  const list = await engine.call('compose:ls', { all: flagBool(p, 'all') });
  if (flagBool(p, 'quiet')) {
    for (const x of list) io.out(`${x.name}\n`);
    return 0;
  }
  const format = flagString(p, 'format') ?? 'table';
  if (format === 'json') {
    io.out(JSON.stringify(list.map((x) => ({ Name: x.name, Status: x.status, ConfigFiles: x.configFiles.join(',') }))) + '\n');
    return 0;
  }
  if (format !== 'table') throw new UsageError(`invalid --format ${format}: use table or json`);
  io.out(table(['NAME', 'STATUS', 'CONFIG FILES'], list.map((x) => [x.name, x.status, x.configFiles.join(',')])));
  return 0;
};

const top: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose top'));
  const time = (s: number): string => {
    const n = Math.floor(s);
    return `${String(Math.floor(n / 3600)).padStart(2, '0')}:${String(Math.floor((n % 3600) / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
  };
  for (const c of await containersOf(engine, t, p.positionals, false)) {
    const procs = await engine.call('containers:top', { id: c.id });
    io.out(`${c.name}\n${table(['UID', 'PID', 'PPID', 'STAT', 'RSS', 'TIME', 'CMD'], procs.map((x) => [String(x.uid), String(x.pid), String(x.ppid), x.state, humanSize(x.rssBytes), time(x.cpuSeconds), x.command]))}\n`);
  }
  return 0;
};

const port: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose port'));
  const [service, privatePort] = requireArgs(p, verb('compose port'), 2, 2) as [string, string];
  const protocol = flagString(p, 'protocol') ?? 'tcp';
  const c = await serviceContainer(engine, t, service, intFlag(p, 'index') ?? 1);
  const m = (c.ports ?? []).find((x) => String(x.containerPort) === privatePort && x.protocol === protocol);
  if (!m) throw new EngineError('E_INVALID_ARGUMENT', `no port ${privatePort}/${protocol} for container ${c.name}`);
  io.out(`${m.hostIp}:${m.hostPort}\n`);
  return 0;
};

const images: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose images'));
  const list = await containersOf(engine, t, p.positionals, true);
  const all = await engine.call('images:list', {});
  if (flagBool(p, 'quiet')) {
    for (const id of new Set(list.map((c) => c.imageId))) io.out(`${id}\n`);
    return 0;
  }
  const rows = list.map((c) => {
    const img = all.find((i) => i.id === c.imageId);
    const at = c.image.lastIndexOf(':');
    const [repo, tag] = at > c.image.lastIndexOf('/') ? [c.image.slice(0, at), c.image.slice(at + 1)] : [c.image, 'latest'];
    return { container: c.name, repo, tag, id: shortId(c.imageId), size: img ? humanSize(img.size) : '' };
  });
  if ((flagString(p, 'format') ?? 'table') === 'json') {
    io.out(JSON.stringify(rows.map((r) => ({ ContainerName: r.container, Repository: r.repo, Tag: r.tag, ID: r.id, Size: r.size }))) + '\n');
    return 0;
  }
  io.out(table(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], rows.map((r) => [r.container, r.repo, r.tag, r.id, r.size])));
  return 0;
};

const events: Sub = async (engine, t, argv, io) => {
  const p = parseArgs(argv, verb('compose events'));
  const services = p.positionals;
  const json = flagBool(p, 'json');
  const known = new Map<string, ComposeContainer>();
  const refresh = async (): Promise<void> => {
    for (const c of await containersOf(engine, t, services, true)) known.set(c.id, c);
  };
  await refresh();
  const sub = await engine.subscribe('events:subscribe', { types: ['container'] }, (e) => {
    if (e.type !== 'container') return;
    void (async () => {
      if (!known.has(e.id) && e.action === 'create') await refresh();
      const c = known.get(e.id);
      if (!c) return;
      const attributes = { image: c.image, name: c.name };
      if (json) io.out(JSON.stringify({ time: e.time, type: 'container', action: e.action, id: e.id, service: c.service, attributes }) + '\n');
      else io.out(`${e.time.replace('T', ' ').replace('Z', '')} container ${e.action} ${e.id} (image=${c.image}, name=${c.name})\n`);
    })();
  });
  await untilInterrupted();
  await sub.close();
  return 0;
};

const SUBS: Record<string, Sub> = {
  up,
  down,
  ps,
  logs,
  build,
  pull,
  push,
  start: action('start'),
  stop: action('stop'),
  restart: action('restart'),
  kill: action('kill'),
  rm: action('rm'),
  pause: action('pause'),
  unpause: action('unpause'),
  exec,
  run,
  config,
  ls,
  top,
  port,
  images,
  events,
};

const compose: Command = async (engine, argv, io) => {
  const g = parseArgs(argv, verb('compose'));
  const [sub, ...rest] = g.positionals;
  if (!sub) throw new UsageError('"cove compose" requires a command: cove compose [OPTIONS] COMMAND', 1, 'compose');
  ansi = flagString(g, 'ansi') ?? 'auto';
  if (!['never', 'always', 'auto'].includes(ansi)) throw new UsageError(`invalid --ansi ${ansi}: use never, always or auto`, 125, 'compose');
  const fn = SUBS[sub];
  if (!fn) throw new UsageError(`unknown docker command: "compose ${sub}"`, 1, 'compose');
  try {
    return await fn(engine, target(g), rest, io);
  } catch (err) {
    // docker compose exits 1 when the project cannot be brought where asked (a bad file, a failed service).
    if (errorCode(err) === undefined || errorCode(err) === 'E_INTERNAL') throw err;
    io.err(formatError(err));
    return 1;
  }
};

export const COMPOSE_COMMANDS: Record<string, Command> = { compose };
