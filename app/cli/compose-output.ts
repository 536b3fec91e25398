// How `cove compose` prints: task steps as docker compose v2 does
// (` ✔ Container demo-web-1  Started`), and merged logs, each line prefixed
// `service-1  | ` and coloured by service when the output is a terminal.
import type { ComposeContainer, ComposeStep, LogLine, TaskProgress } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import type { CliEngine } from './cli-engine.js';
import { awaitHeld, type Io } from './cli-kit.js';
import { followCliTask } from './task-follow.js';

const DONE = new Set(['Created', 'Started', 'Healthy', 'Exited', 'Recreated', 'Running', 'Removed', 'Built', 'Pulled', 'Pushed', 'Stopped', 'Killed', 'Paused', 'Unpaused', 'Skipped']);

export function stepLine(s: ComposeStep): string {
  const mark = s.status === 'Error' ? '✘' : s.status === 'Warning' ? '!' : DONE.has(s.status) ? '✔' : '⠿';
  return ` ${mark} ${s.resource}  ${s.status}${s.error ? ` ${s.error}` : ''}\n`;
}

/**
 * Runs a compose task of the engine and prints each step as it changes;
 * Ctrl-C cancels it. Resolves with its final state, throws its error.
 */
export async function runComposeTask(engine: CliEngine, io: Io, quiet: boolean, start: () => Promise<{ taskId: string }>): Promise<TaskProgress> {
  const shown = new Map<string, string>();
  const final = await followCliTask(engine, start, (t) => {
    for (const s of t.compose?.steps ?? []) {
      const key = `${s.status}:${s.error ?? ''}`;
      if (shown.get(s.resource) === key) continue;
      shown.set(s.resource, key);
      if (!quiet || s.status === 'Error') io.err(stepLine(s));
    }
  });
  if (final.state === 'cancelled') throw new EngineError('E_CANCELLED', `compose ${final.title} cancelled`);
  if (final.state === 'failed' && final.error) throw new EngineError(final.error.code, final.error.message);
  return final;
}

// docker compose's palette (cmd/formatter/colors.go): the bright and normal
// foreground colours, one per container in turn.
const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export interface LogPrinter {
  print(c: ComposeContainer, line: LogLine): void;
}

export function logPrinter(io: Io, containers: ComposeContainer[], opts: { color: boolean; prefix: boolean; timestamps: boolean }): LogPrinter {
  const label = (c: ComposeContainer): string => (c.oneoff ? c.name : `${c.service}-${c.number}`);
  const width = Math.max(0, ...containers.map((c) => label(c).length));
  const services = [...new Set(containers.map((c) => c.service))].sort();
  const color = (c: ComposeContainer): number => COLORS[services.indexOf(c.service) % COLORS.length] as number;
  return {
    print: (c, line) => {
      const head = opts.prefix ? `${label(c).padEnd(width)}  | ` : '';
      const shown = opts.color && head ? `\x1b[${color(c)}m${head}\x1b[0m` : head;
      io.out(`${shown}${opts.timestamps ? `${line.time} ` : ''}${line.text}\n`);
    },
  };
}

/** The logged lines of each container, merged in time order. */
export async function printLogs(engine: CliEngine, containers: ComposeContainer[], printer: LogPrinter, tail: number | undefined): Promise<void> {
  const all: Array<{ c: ComposeContainer; line: LogLine }> = [];
  for (const c of containers) {
    for (const line of await engine.call('containers:logs', { id: c.id, ...(tail !== undefined ? { tail } : {}) })) all.push({ c, line });
  }
  all.sort((a, b) => (a.line.time < b.line.time ? -1 : a.line.time > b.line.time ? 1 : 0));
  for (const { c, line } of all) printer.print(c, line);
}

/**
 * `logs -f`: one logs:follow subscription per container; it ends when every
 * followed container has stopped (as docker compose logs -f does) or on Ctrl-C.
 */
export async function followLogs(engine: CliEngine, containers: ComposeContainer[], printer: LogPrinter, tail: number | undefined, until?: Promise<void>): Promise<void> {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const ids = new Set(containers.map((c) => c.id));
  const check = async (): Promise<void> => {
    const running = (await engine.call('containers:list', { all: false }).catch(() => [])).filter((c) => ids.has(c.id));
    // The monitor writes the last lines before it records the exit: give the followers a beat to pass them on.
    if (running.length === 0) setTimeout(finish, 150);
  };
  const events = await engine.subscribe('events:subscribe', { types: ['container'] }, (e) => {
    if (e.type === 'container' && ids.has(e.id) && (e.action === 'die' || e.action === 'remove')) void check();
  });
  const subs = [];
  for (const c of containers) {
    const sub = await engine.subscribe('logs:follow', { id: c.id, ...(tail !== undefined ? { tail } : { tail: 100_000 }) }, (e) => {
      if (e.type === 'logs') for (const line of e.lines) printer.print(c, line);
    });
    for (const line of sub.result.lines) printer.print(c, line);
    subs.push(sub);
  }
  const stop = (): void => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void until?.then(stop);
  await check();
  await awaitHeld(done);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await Promise.all([...subs.map((s) => s.close()), events.close()]);
}
