import { StatsSampler } from '../engine/stats/stats-sampler.js';
import { flagBool, flagString, parseArgs, requireArgs } from './args.js';
import { humanSize, table } from './format.js';
import { renderList } from './template-output.js';
import { STATS_FORMAT, statsRow } from './list-rows.js';
import { verb } from './verbs.js';
import type { Command } from './cli-kit.js';

/** docker stats: a sampler in this process; CPU % needs two readings, a second apart. */
const stats: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('stats'));
  const format = flagString(p, 'format');
  const noTrunc = flagBool(p, 'no-trunc');
  if (format !== undefined) renderList(format, STATS_FORMAT, []); // a bad template fails before the first second of sampling
  const wanted = new Set<string>();
  for (const q of p.positionals) wanted.add((await engine.containers.resolve(q)).id);
  const names = new Map((await engine.containers.list(true)).map((c) => [c.id, c.name]));
  const sampler = new StatsSampler(
    async () => (await engine.containers.running()).filter((c) => wanted.size === 0 || wanted.has(c.id)),
    () => undefined,
  );
  await sampler.tick();
  const stream = !flagBool(p, 'no-stream');
  const tty = process.stdout.isTTY === true;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const samples = await sampler.tick();
    for (const s of samples) if (!names.has(s.id)) names.set(s.id, (await engine.containers.resolve(s.id)).name);
    // On a terminal, redraw in place like docker stats; otherwise one table per second.
    io.out((tty && stream ? '\x1b[2J\x1b[H' : '') + renderList(format, STATS_FORMAT, samples.map((s) => statsRow(s, names.get(s.id) ?? '', noTrunc))));
    if (!stream) return 0;
  }
};

const top: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('top'));
  const [query] = requireArgs(p, verb('top'), 1) as [string];
  const procs = await engine.handle('containers:top', { id: query });
  const time = (s: number): string => {
    const t = Math.floor(s);
    return `${String(Math.floor(t / 3600)).padStart(2, '0')}:${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
  };
  io.out(table(['UID', 'PID', 'PPID', 'STAT', 'RSS', 'TIME', 'CMD'], procs.map((x) => [String(x.uid), String(x.pid), String(x.ppid), x.state, humanSize(x.rssBytes), time(x.cpuSeconds), x.command])));
  return 0;
};

/** docker events: what this store sees change, live (the same watcher the GUI uses). */
const events: Command = async (engine, argv, io) => {
  requireArgs(parseArgs(argv, verb('events')), verb('events'), 0, 0);
  const { Engine } = await import('../engine/engine.js');
  const live = await Engine.open({ home: engine.paths.home, watch: true });
  live.stats.stop();
  const connection = live.connect(({ event: e }) => {
    if (e.type !== 'container' && e.type !== 'image' && e.type !== 'volume' && e.type !== 'task' && e.type !== 'warning') return;
    const what = e.type === 'task' ? `task ${e.task.kind} ${e.task.state} ${e.task.title}` : e.type === 'warning' ? `${e.source} warning ${e.id}: ${e.message}` : `${e.type} ${e.action} ${e.id}`;
    io.out(`${new Date().toISOString()} ${what}\n`);
  });
  await connection.call('events:subscribe', { types: ['container', 'image', 'volume', 'task', 'warning'] });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await live.close();
  return 0;
};

export const STATS_COMMANDS: Record<string, Command> = { stats, top, events };
