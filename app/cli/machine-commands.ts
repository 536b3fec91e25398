// `cove machine ...`, `cove system connection ...`, and the connection a verb
// runs on: `--connection NAME` (before the verb) or $COVE_CONNECTION, else the
// saved default. "local" is the engine on this host; "machine" (the machine
// named cove) or "machine:NAME" is the engine in a Cove VM, started on demand.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../engine/errors.js';
import { readJsonFile, writeJsonAtomic } from '../engine/fs-atomic.js';
import { resolvePaths } from '../engine/paths.js';
import { execInGuest, type AgentEndpoint } from '../engine/machine/agent-client.js';
import { MachineService, type MachineView } from '../engine/machine/machine-service.js';
import { DEFAULT_MACHINE, type Accelerator } from '../engine/machine/machine-store.js';
import { parseArgs, flagBool, flagString, UsageError } from './args.js';
import { formatError, type Command, type Io } from './cli-kit.js';
import { lendTerminal, wantsTerminal } from './machine-terminal.js';

const MACHINE_HELP = `Usage: cove machine COMMAND

Manage Cove VMs (QEMU; the engine runs inside, with cgroup v2 delegated).

  init [--cpus N] [--memory MB] [--disk-size GB] [--now] [NAME]
  start [NAME] | stop [NAME] | rm [-f] [NAME]
  ls [--format json] | inspect [NAME...]
  ssh [NAME] [CMD...]               a command (or sh) in the VM, as you
  set [--cpus N] [--memory MB] [--disk-size GB] [NAME]

NAME defaults to "${DEFAULT_MACHINE}". Run verbs there: cove --connection machine VERB (or COVE_CONNECTION=machine).
`;

export type Route = { code: number } | { argv: string[] };

function connectionsFile(): string {
  return path.join(resolvePaths().home, 'connections.json');
}

async function defaultConnection(): Promise<string> {
  return (await readJsonFile<{ default?: string }>(connectionsFile()).catch(() => undefined))?.default ?? 'local';
}

/** "machine" -> the default machine, "machine:NAME" -> NAME, "local" -> null. */
export function machineOf(connection: string): string | null {
  if (connection === 'local') return null;
  if (connection === 'machine') return DEFAULT_MACHINE;
  if (connection.startsWith('machine:') && connection.length > 8) return connection.slice(8);
  throw new UsageError(`unknown connection "${connection}": use local, machine or machine:NAME (cove system connection ls)`);
}

function intFlag(p: ReturnType<typeof parseArgs>, name: string): number | undefined {
  const v = flagString(p, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} needs a whole number, not "${v}"`);
  return Number(v);
}

const SIZE_FLAGS = { cpus: { value: true }, memory: { short: 'm', value: true }, 'disk-size': { value: true } } as const;

function sizes(p: ReturnType<typeof parseArgs>): { cpus?: number; memoryMb?: number; diskGb?: number } {
  const out: { cpus?: number; memoryMb?: number; diskGb?: number } = {};
  const cpus = intFlag(p, 'cpus');
  const mem = intFlag(p, 'memory');
  const disk = intFlag(p, 'disk-size');
  if (cpus !== undefined) out.cpus = cpus;
  if (mem !== undefined) out.memoryMb = mem;
  if (disk !== undefined) out.diskGb = disk;
  return out;
}

function describe(v: MachineView): Record<string, unknown> {
  return {
    Name: v.name,
    State: v.state,
    Cpus: v.config.cpus,
    MemoryMB: v.config.memoryMb,
    DiskGB: v.config.diskGb,
    Created: v.config.createdAt,
    Accelerator: v.runtime?.accelerator ?? null,
    AcceleratorReason: v.runtime?.acceleratorReason ?? null,
    StartedAt: v.runtime?.startedAt ?? null,
    ReadyAt: v.runtime?.readyAt ?? null,
    Kernel: v.runtime?.kernel ?? null,
    ForwardedPorts: v.runtime?.forwarded ?? [],
    ApiSocket: v.runtime?.apiSocket ?? null,
    Pids: v.runtime ? { supervisor: v.runtime.supervisorPid, qemu: v.runtime.qemuPid } : null,
    Image: v.image,
    Paths: v.paths,
  };
}

async function ensureRunning(svc: MachineService, name: string, io: Io): Promise<{ port: number; token: string }> {
  try {
    return await svc.endpoint(name);
  } catch (err) {
    if (!(err instanceof EngineError) || err.code !== 'E_MACHINE_NOT_RUNNING') throw err;
  }
  if ((await svc.view(name)).state === 'starting') {
    io.err(`Machine "${name}" is starting; waiting...\n`);
    await svc.waitReady(name);
    return svc.endpoint(name);
  }
  io.err(`Starting machine "${name}"...\n`);
  const r = await svc.start(name, (line) => io.err(`  ${line}\n`));
  io.err(`Machine "${name}" is ready (${r.bootSeconds.toFixed(1)} s).\n`);
  return svc.endpoint(name);
}

/** Runs argv in the VM with this process's stdio and working directory; a terminal when `tty` and there is one here. */
async function inGuest(ep: AgentEndpoint, op: 'exec' | 'cove', argv: string[], tty: boolean, plainStdin: boolean): Promise<number> {
  const out = { stdout: (d: Buffer) => void process.stdout.write(d), stderr: (d: Buffer) => void process.stderr.write(d) };
  const term = tty ? lendTerminal() : null;
  try {
    if (term) return await execInGuest(ep, op, argv, { ...out, stdin: term.stdin, watchResize: term.watchResize }, { cwd: process.cwd(), env: term.env, tty: term.size });
    return await execInGuest(ep, op, argv, { ...out, ...(plainStdin ? { stdin: process.stdin } : {}) }, { cwd: process.cwd() });
  } finally {
    term?.restore();
    process.stdin.destroy();
  }
}

/** A verb run by the cove CLI inside the VM. */
async function forward(name: string, argv: string[], io: Io): Promise<number> {
  const svc = new MachineService();
  const ep = await ensureRunning(svc, name, io);
  return inGuest(ep, 'cove', argv, wantsTerminal(argv), !process.stdin.isTTY);
}

async function machineVerb(argv: string[], io: Io): Promise<number> {
  const [verb, ...rest] = argv;
  const svc = new MachineService();
  switch (verb) {
    case undefined:
    case '--help':
    case '-h':
      io.out(MACHINE_HELP);
      return 0;
    case 'init': {
      const p = parseArgs(rest, { ...SIZE_FLAGS, now: {} });
      const name = p.positionals[0] ?? DEFAULT_MACHINE;
      await svc.init(name, sizes(p));
      io.out(`Machine "${name}" created\n`);
      if (flagBool(p, 'now')) {
        const r = await svc.start(name, (l) => io.err(`  ${l}\n`));
        io.out(`Machine "${name}" started (${r.accel.accelerator}, ready in ${r.bootSeconds.toFixed(1)} s)\n`);
      }
      return 0;
    }
    case 'start': {
      const name = parseArgs(rest, {}).positionals[0] ?? DEFAULT_MACHINE;
      const r = await svc.start(name, (l) => io.err(`  ${l}\n`));
      io.out(`Machine "${name}" started (${r.accel.accelerator}, ready in ${r.bootSeconds.toFixed(1)} s)\n`);
      return 0;
    }
    case 'stop': {
      const name = parseArgs(rest, {}).positionals[0] ?? DEFAULT_MACHINE;
      io.out((await svc.stop(name)) ? `Machine "${name}" stopped\n` : `Machine "${name}" is not running\n`);
      return 0;
    }
    case 'rm': {
      const p = parseArgs(rest, { force: { short: 'f' } });
      const name = p.positionals[0] ?? DEFAULT_MACHINE;
      await svc.rm(name, flagBool(p, 'force'));
      io.out(`${name}\n`);
      return 0;
    }
    case 'ls':
    case 'list': {
      const p = parseArgs(rest, { format: { value: true } });
      const all = await svc.list();
      if (flagString(p, 'format') === 'json') {
        io.out(`${JSON.stringify(all.map(describe), null, 2)}\n`);
        return 0;
      }
      const rows = [['NAME', 'STATE', 'CPUS', 'MEMORY', 'DISK', 'ACCEL'], ...all.map((v) => [v.name, v.state, String(v.config.cpus), `${v.config.memoryMb}MB`, `${v.config.diskGb}GB`, v.runtime?.accelerator ?? '-'])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.out(`${r.map((c, i) => c.padEnd(widths[i]! + 3)).join('').trimEnd()}\n`);
      return 0;
    }
    case 'inspect': {
      const names = parseArgs(rest, {}).positionals;
      const views = await Promise.all((names.length ? names : [DEFAULT_MACHINE]).map((n) => svc.view(n)));
      io.out(`${JSON.stringify(views.map(describe), null, 2)}\n`);
      return 0;
    }
    case 'set': {
      const p = parseArgs(rest, SIZE_FLAGS);
      const name = p.positionals[0] ?? DEFAULT_MACHINE;
      const c = await svc.set(name, sizes(p));
      io.out(`Machine "${name}": ${c.cpus} CPUs, ${c.memoryMb} MB, ${c.diskGb} GB\n`);
      return 0;
    }
    case 'ssh': {
      let name = DEFAULT_MACHINE;
      let cmd = rest;
      if (rest[0] && !rest[0].startsWith('-') && (await svc.store.exists(rest[0]).catch(() => false))) {
        name = rest[0];
        cmd = rest.slice(1);
      }
      if (cmd[0] === '--') cmd = cmd.slice(1);
      const ep = await svc.endpoint(name);
      // Like ssh: a shell gets a terminal when there is one here; a command keeps pipes.
      const argv = cmd.length === 0 ? ['/bin/sh', '-i'] : cmd.length === 1 ? ['/bin/sh', '-c', cmd[0] as string] : cmd;
      return inGuest(ep, 'exec', argv, cmd.length === 0, !(process.stdin.isTTY && cmd.length));
    }
    case '__supervise': {
      const { runSupervisor } = await import('../engine/machine/supervisor.js');
      return runSupervisor(rest[0] ?? DEFAULT_MACHINE, (rest[1] ?? 'tcg') as Accelerator, rest[2]);
    }
    case 'guest-agent': {
      const p = parseArgs(rest, { port: { value: true }, 'token-file': { value: true } });
      const { runGuestAgent } = await import('../engine/machine/guest-agent.js');
      const { installPaths } = await import('../engine/install-paths.js');
      const tokenFile = flagString(p, 'token-file');
      if (!tokenFile) throw new UsageError('--token-file is required');
      await runGuestAgent({ tokenFile, cliPath: path.join(installPaths().distDir, 'cove.cjs'), ...(intFlag(p, 'port') !== undefined ? { port: intFlag(p, 'port') as number } : {}) });
      io.err('cove guest agent ready\n');
      await new Promise(() => undefined);
      return 0;
    }
    default:
      throw new UsageError(`unknown machine command "${verb}"`);
  }
}

async function connectionVerb(argv: string[], io: Io): Promise<number> {
  const [verb, ...rest] = argv;
  const current = await defaultConnection();
  if (verb === 'ls' || verb === 'list' || verb === undefined) {
    const svc = new MachineService();
    const machines = await svc.store.list();
    const rows: string[][] = [['NAME', 'URI', 'DEFAULT']];
    rows.push(['local', `unix://${path.join(resolvePaths().runtime, 'engine.sock')}`, String(current === 'local')]);
    for (const m of machines) {
      const conn = m === DEFAULT_MACHINE ? 'machine' : `machine:${m}`;
      rows.push([conn, `unix://${svc.store.socket(m, 'api')}`, String(current === conn)]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) io.out(`${r.map((c, i) => c.padEnd(widths[i]! + 3)).join('').trimEnd()}\n`);
    return 0;
  }
  if (verb === 'default') {
    const name = rest[0];
    if (!name) throw new UsageError('cove system connection default NAME');
    machineOf(name);
    const file = connectionsFile();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(file, { default: name });
    io.out(`${name}\n`);
    return 0;
  }
  throw new UsageError(`unknown connection command "${verb}": ls or default`);
}

/**
 * Decides where a command line runs. Handles `machine` and `system connection`
 * itself; verbs on a machine connection are run by the VM's engine; the rest
 * come back (without --connection) for the local engine.
 */
export async function routeConnection(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<Route> {
  try {
    let args = argv;
    let connection: string | undefined;
    while (args[0] === '--connection' || args[0]?.startsWith('--connection=') || args[0] === '-c') {
      const a = args[0];
      connection = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[1];
      if (!connection) throw new UsageError('--connection needs a name (local, machine, machine:NAME)');
      args = a.includes('=') ? args.slice(1) : args.slice(2);
    }
    if (args[0] === 'machine') return { code: await machineVerb(args.slice(1), io) };
    if (args[0] === 'system' && args[1] === 'connection') return { code: await connectionVerb(args.slice(2), io) };
    // Inside the VM the engine is always the local one.
    if (env.COVE_IN_VM === '1') return { argv: args };
    connection ??= env.COVE_CONNECTION || (args.length ? await defaultConnection() : 'local');
    const machine = machineOf(connection);
    if (machine === null) return { argv: args };
    return { code: await forward(machine, args, io) };
  } catch (err) {
    io.err(formatError(err));
    return { code: 125 };
  }
}

/** The verb table's entry (main routes `machine` before opening an engine; this serves help and completion). */
export const MACHINE_COMMANDS: Record<string, Command> = { machine: (_engine, argv, io) => machineVerb(argv, io) };
