// `cove system df` and `cove system check`: what the store holds, and
// whether it is intact (with --repair, made intact).
import { flagBool, flagString, parseArgs, requireArgs, UsageError } from './args.js';
import { humanSize } from './format.js';
import { confirm, type Command } from './cli-kit.js';
import { renderList } from './template-output.js';
import { imageRows, IMAGES_FORMAT, psRow, PS_FORMAT, volumeRow, VOLUMES_FORMAT } from './list-rows.js';
import { info } from './info-command.js';
import { verb } from './verbs.js';

/** What `system df` counts (the engine measures it), shared with `system prune`'s reclaimed space. */
async function usage(engine: Parameters<Command>[0]) {
  const [d, list, vols] = await Promise.all([engine.call('system:df', {}), engine.call('containers:list', { all: true }), engine.call('volumes:list', {})]);
  const containerSize = new Map(d.containerSizes.map((c) => [c.id, c.size]));
  const volumeSize = new Map(d.volumeSizes.map((v) => [v.name, v.size]));
  return {
    containers: list.map((c) => ({ c, running: c.state === 'running' || c.state === 'paused', size: containerSize.get(c.id) ?? 0 })),
    images: { images: d.images, layers: d.layers, blobs: d.blobs },
    volumes: vols.map((v) => ({ v, size: volumeSize.get(v.name) ?? 0 })),
    cache: d.buildCache,
  };
}

const pct = (part: number, whole: number): string => (whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : '');

const DF_FORMAT = {
  defaultFormat: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
  headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
};

const df: Command = async (engine, argv, io) => {
  const spec = verb('system df');
  const p = parseArgs(argv, spec);
  requireArgs(p, spec, 0, 0);
  const u = await usage(engine);
  const cSize = u.containers.reduce((s, c) => s + c.size, 0);
  const cReclaim = u.containers.filter((c) => !c.running).reduce((s, c) => s + c.size, 0);
  const vSize = u.volumes.reduce((s, v) => s + v.size, 0);
  const vReclaim = u.volumes.filter((v) => v.v.usedBy.length === 0).reduce((s, v) => s + v.size, 0);
  if (flagBool(p, 'verbose')) {
    io.out('Images space usage:\n\n');
    const users = new Map<string, number>();
    for (const c of u.containers) users.set(c.c.imageId, (users.get(c.c.imageId) ?? 0) + 1);
    const imgRows = (await engine.call('images:list', {})).flatMap((img) => imageRows(img, { noTrunc: false }).map((r) => ({ ...r, Containers: String(users.get(img.id) ?? 0), SharedSize: '0B', UniqueSize: r.Size })));
    io.out(renderList('table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}', IMAGES_FORMAT, imgRows));
    io.out('\nContainers space usage:\n\n');
    const cRows = [];
    for (const c of u.containers) {
      const view = await engine.call('containers:inspect', { id: c.c.id }).catch(() => undefined);
      const vols = (view?.Mounts ?? []).filter((m) => m.Type === 'volume').length;
      cRows.push({ ...psRow(c.c, { noTrunc: false, size: c.size }), LocalVolumes: String(vols) });
    }
    io.out(renderList('table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}', PS_FORMAT, cRows));
    io.out('\nLocal Volumes space usage:\n\n');
    io.out(renderList('table {{.Name}}\t{{.Links}}\t{{.Size}}', VOLUMES_FORMAT, u.volumes.map((v) => ({ ...volumeRow(v.v), Size: humanSize(v.size) }))));
    io.out(`\nImage storage: ${u.images.layers.count} unpacked layers (${humanSize(u.images.layers.size)}), ${u.images.blobs.count} blobs (${humanSize(u.images.blobs.size)})\n`);
    return 0;
  }
  const rows = [
    { Type: 'Images', TotalCount: String(u.images.images.total), Active: String(u.images.images.active), Size: humanSize(u.images.images.size), Reclaimable: `${humanSize(u.images.images.reclaimable)}${pct(u.images.images.reclaimable, u.images.images.size)}` },
    { Type: 'Containers', TotalCount: String(u.containers.length), Active: String(u.containers.filter((c) => c.running).length), Size: humanSize(cSize), Reclaimable: `${humanSize(cReclaim)}${pct(cReclaim, cSize)}` },
    { Type: 'Local Volumes', TotalCount: String(u.volumes.length), Active: String(u.volumes.filter((v) => v.v.usedBy.length > 0).length), Size: humanSize(vSize), Reclaimable: `${humanSize(vReclaim)}${pct(vReclaim, vSize)}` },
    { Type: 'Build Cache', TotalCount: String(u.cache.entries), Active: '0', Size: humanSize(u.cache.size), Reclaimable: `${humanSize(u.cache.reclaimable)}${pct(u.cache.reclaimable, u.cache.size)}` },
  ];
  io.out(renderList(flagString(p, 'format'), DF_FORMAT, rows));
  return 0;
};

/** docker system prune: stopped containers, unused volumes (with --volumes), then dangling (or with -a all unused) images. */
const prune: Command = async (engine, argv, io) => {
  const spec = verb('system prune');
  const p = parseArgs(argv, spec);
  requireArgs(p, spec, 0, 0);
  const all = flagBool(p, 'all');
  const volumes = flagBool(p, 'volumes');
  const warning = [
    'WARNING! This will remove:',
    '  - all stopped containers',
    ...(volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
    ...(all ? ['  - all images without at least one container associated to them'] : ['  - all dangling images']),
  ].join('\n');
  if (!(await confirm(io, warning, flagBool(p, 'force'), 'cove system prune'))) return 0;
  const before = await usage(engine);
  const { removed } = await engine.call('containers:prune', {});
  if (removed.length > 0) io.out(`Deleted Containers:\n${removed.join('\n')}\n\n`);
  if (volumes) {
    const gone: string[] = [];
    for (const v of await engine.call('volumes:list', {})) {
      if (v.usedBy.length > 0 || !v.anonymous) continue;
      await engine.call('volumes:remove', { name: v.name, force: false });
      gone.push(v.name);
    }
    if (gone.length > 0) io.out(`Deleted Volumes:\n${gone.join('\n')}\n\n`);
  }
  const images = await engine.call('images:prune', { all });
  if (images.untagged.length + images.deleted.length > 0) {
    io.out(`Deleted Images:\n${[...images.untagged.map((u) => `untagged: ${u}`), ...images.deleted.map((d) => `deleted: ${d}`)].join('\n')}\n\n`);
  }
  const after = await usage(engine);
  const total = (x: typeof before): number => x.images.blobs.size + x.images.layers.size + x.containers.reduce((s, c) => s + c.size, 0) + x.volumes.reduce((s, v) => s + v.size, 0);
  io.out(`Total reclaimed space: ${humanSize(Math.max(0, total(before) - total(after)))}\n`);
  return 0;
};

const check: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('system check'));
  const repair = flagBool(p, 'repair');
  const report = await engine.call('system:check', { repair, deep: !flagBool(p, 'quick') });
  io.out(`Checked ${report.blobsChecked} blobs, ${report.layersChecked} layers, ${report.imagesChecked} images\n`);
  // IDs (64 hex, maybe sha256:) as docker shortens them; file names as they are.
  for (const pr of report.problems) io.out(`PROBLEM ${pr.kind} ${/^(sha256:)?[a-f0-9]{64}$/.test(pr.id) ? pr.id.replace(/^sha256:/, '').slice(0, 12) : pr.id}: ${pr.problem}\n`);
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
    case 'prune':
      return prune(engine, rest, io);
    case 'info':
      return info(engine, rest, io);
    case 'events':
      return (await import('./stats-commands.js')).STATS_COMMANDS.events?.(engine, rest, io) ?? 1;
    default:
      throw new UsageError(`unknown system command ${sub ? `"${sub}"` : ''}: use cove system df|prune|info|check|events|service`, 1, 'system');
  }
};

export const STORE_COMMANDS: Record<string, Command> = { system, info };
