import { familiarReference } from '../engine/reference.js';
import { flagBool, flagString, parseArgs, UsageError } from './args.js';
import { imagesTable } from './format.js';
import { formatError, type Command } from './cli-kit.js';

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

export const IMAGE_COMMANDS: Record<string, Command> = { images, load, rmi, image };
