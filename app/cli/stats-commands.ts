import type { StatsSample } from '../api/contract.js';
import { flagBool, flagString, parseArgs, requireArgs } from './args.js';
import { humanSize, table } from './format.js';
import { renderList } from './template-output.js';
import { STATS_FORMAT, statsRow } from './list-rows.js';
import { verb } from './verbs.js';
import { awaitHeld, untilInterrupted, type Command } from './cli-kit.js';

/** docker stats: the engine's samples (`events:subscribe` for stats), one table per sampler tick. */
const stats: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('stats'));
  const format = flagString(p, 'format');
  const noTrunc = flagBool(p, 'no-trunc');
  if (format !== undefined) renderList(format, STATS_FORMAT, []); // a bad template fails before the first second of sampling
  const wanted = new Set<string>();
  for (const q of p.positionals) wanted.add((await engine.call('containers:inspect', { id: q })).Id);
  const list = await engine.call('containers:list', { all: true });
  const names = new Map(list.map((c) => [c.id, c.name]));
  const stream = !flagBool(p, 'no-stream');
  const tty = process.stdout.isTTY === true;
  const show = (samples: StatsSample[]): void => {
    // On a terminal, redraw in place like docker stats; otherwise one table per tick.
    io.out((tty && stream ? '\x1b[2J\x1b[H' : '') + renderList(format, STATS_FORMAT, samples.map((s) => statsRow(s, names.get(s.id) ?? '', noTrunc))));
  };
  const running = list.filter((c) => c.state === 'running' && (wanted.size === 0 || wanted.has(c.id)));
  if (!stream && running.length === 0) {
    show([]);
    return 0;
  }
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // CPU % needs two readings a second apart: the first batch comes after the sampler's second tick.
  // --no-stream: one table once every running container has a sample (a container sampled for the
  // first time has no CPU delta yet and comes a tick later), or what there is after a few ticks.
  const expected = new Set(running.map((c) => c.id));
  const latest = new Map<string, StatsSample>();
  let ticks = 0;
  const sub = await engine.subscribe('events:subscribe', { types: ['stats'] }, (e) => {
    if (e.type !== 'stats') return;
    const samples = e.samples.filter((s) => wanted.size === 0 || wanted.has(s.id));
    for (const s of samples) if (!names.has(s.id)) names.set(s.id, s.id.slice(0, 12));
    if (stream) return show(samples);
    for (const s of samples) latest.set(s.id, s);
    if ([...expected].every((id) => latest.has(id)) || ++ticks >= 5) {
      show([...latest.values()]);
      finish();
    }
  });
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  await awaitHeld(done);
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  await sub.close();
  return 0;
};

const top: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('top'));
  const [query] = requireArgs(p, verb('top'), 1) as [string];
  const procs = await engine.call('containers:top', { id: query });
  const time = (s: number): string => {
    const t = Math.floor(s);
    return `${String(Math.floor(t / 3600)).padStart(2, '0')}:${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
  };
  io.out(table(['UID', 'PID', 'PPID', 'STAT', 'RSS', 'TIME', 'CMD'], procs.map((x) => [String(x.uid), String(x.pid), String(x.ppid), x.state, humanSize(x.rssBytes), time(x.cpuSeconds), x.command])));
  return 0;
};

/** docker events: what changes, live (the engine watches the store while someone listens). */
const events: Command = async (engine, argv, io) => {
  requireArgs(parseArgs(argv, verb('events')), verb('events'), 0, 0);
  const sub = await engine.subscribe('events:subscribe', { types: ['container', 'image', 'volume', 'task', 'warning'] }, (e) => {
    if (e.type !== 'container' && e.type !== 'image' && e.type !== 'volume' && e.type !== 'task' && e.type !== 'warning') return;
    const what = e.type === 'task' ? `task ${e.task.kind} ${e.task.state} ${e.task.title}` : e.type === 'warning' ? `${e.source} warning ${e.id}: ${e.message}` : e.type === 'container' && e.health ? `container ${e.action}: ${e.health} ${e.id}` : `${e.type} ${e.action} ${e.id}`;
    io.out(`${new Date().toISOString()} ${what}\n`);
  });
  await untilInterrupted();
  await sub.close();
  return 0;
};

export const STATS_COMMANDS: Record<string, Command> = { stats, top, events };
