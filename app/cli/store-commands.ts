// `cove system df` and `cove system check`: what the store holds, and
// whether it is intact (with --repair, made intact).
import path from 'node:path';
import fs from 'node:fs';
import { flagBool, parseArgs, UsageError } from './args.js';
import { humanSize, table } from './format.js';
import type { Command } from './cli-kit.js';

/** Bytes under a directory, best effort: parts owned by subordinate ids may be unreadable. */
function duBestEffort(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      try {
        const st = fs.lstatSync(p);
        if (st.isFile()) total += st.size;
        if (st.isDirectory()) walk(p);
      } catch {
        // vanished or unreadable
      }
    }
  };
  walk(dir);
  return total;
}

const df: Command = async (engine, argv, io) => {
  parseArgs(argv, {});
  const containers = await engine.containers.list(true);
  const usedImages = new Set(containers.map((c) => c.imageId));
  const usage = await engine.images.diskUsage(async (id) => usedImages.has(id));
  const sizes = containers.map((c) => ({ running: c.state === 'running', size: duBestEffort(path.join(engine.paths.home, 'containers', c.id, 'upper')) }));
  const cSize = sizes.reduce((s, c) => s + c.size, 0);
  const cReclaim = sizes.filter((c) => !c.running).reduce((s, c) => s + c.size, 0);
  const pct = (part: number, whole: number): string => (whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : '');
  io.out(
    table(
      ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
      [
        ['Images', String(usage.images.total), String(usage.images.active), humanSize(usage.images.size), `${humanSize(usage.images.reclaimable)}${pct(usage.images.reclaimable, usage.images.size)}`],
        ['Containers', String(containers.length), String(sizes.filter((c) => c.running).length), humanSize(cSize), `${humanSize(cReclaim)}${pct(cReclaim, cSize)}`],
      ],
    ),
  );
  io.out(`\nImage storage: ${usage.layers.count} unpacked layers (${humanSize(usage.layers.size)}), ${usage.blobs.count} blobs (${humanSize(usage.blobs.size)})\n`);
  return 0;
};

const check: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { repair: { short: 'r' }, quick: {} });
  const repair = flagBool(p, 'repair');
  const report = await engine.images.check({ repair, deep: !flagBool(p, 'quick') });
  io.out(`Checked ${report.blobsChecked} blobs, ${report.layersChecked} layers, ${report.imagesChecked} images\n`);
  for (const pr of report.problems) io.out(`PROBLEM ${pr.kind} ${pr.id.replace(/^sha256:/, '').slice(0, 12)}: ${pr.problem}\n`);
  for (const l of report.leftovers) io.out(`leftover: ${l}\n`);
  for (const r of report.repaired) io.out(`repaired: ${r}\n`);
  if (report.problems.length === 0) {
    io.out(report.leftovers.length > 0 && !repair ? `The store is consistent; ${report.leftovers.length} leftover(s) can be removed with: cove system check --repair\n` : 'The store is consistent\n');
    return 0;
  }
  if (repair) {
    io.out(`${report.problems.length} problem(s) found and repaired\n`);
    return 0;
  }
  io.out(`${report.problems.length} problem(s) found; fix them with: cove system check --repair\n`);
  return 1;
};

const system: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'df':
      return df(engine, rest, io);
    case 'check':
      return check(engine, rest, io);
    case 'service': {
      // Loaded only here: the Docker API server is not on any other verb's path.
      const { systemService } = await import('./service-commands.js');
      return systemService(engine, rest, io);
    }
    default:
      throw new UsageError(`unknown system command ${sub ? `"${sub}"` : ''}: use cove system df|check|service`);
  }
};

export const STORE_COMMANDS: Record<string, Command> = { system };
