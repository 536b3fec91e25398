import type { TaskKind, TaskProgress } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import type { Engine } from '../engine/engine.js';
import type { Task } from '../engine/tasks.js';
import { familiarReference } from '../engine/reference.js';
import { flagBool, flagString, parseArgs, UsageError, type Parsed } from './args.js';
import { imagesTable } from './format.js';
import { formatError, type Command, type Io } from './cli-kit.js';
import { progressRenderer } from './progress-bars.js';

/** --tls-verify=false (podman's spelling); anything else keeps verification on. */
function tlsVerify(p: Parsed): boolean {
  return p.flags['tls-verify'] !== false;
}

/**
 * Runs a pull or push as a task of the engine, like the GUI does, drawing
 * its progress events; Ctrl-C cancels it (the task cleans up after itself).
 */
async function runTask(engine: Engine, io: Io, kind: TaskKind, title: string, quiet: boolean, work: (task: Task) => Promise<void>): Promise<TaskProgress> {
  const task = engine.tasks.create(kind, title);
  const renderer = quiet ? null : progressRenderer((t) => io.err(t), process.stderr.isTTY === true);
  const unsubscribe = engine.subscribe((ev) => {
    if (ev.type === 'task' && ev.task.id === task.progress.id) renderer?.update(ev.task);
  });
  const onSignal = (): void => {
    engine.tasks.cancel(task.progress.id);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await engine.tasks.run(task, work);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    unsubscribe();
  }
  renderer?.finish(structuredClone(task.progress));
  const final = task.progress;
  if (final.state === 'cancelled') throw new EngineError('E_CANCELLED', `${kind} of ${title} cancelled`);
  if (final.state === 'failed' && final.error) throw new EngineError(final.error.code, final.error.message);
  return final;
}

const pull: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, { platform: { value: true }, quiet: { short: 'q' }, 'tls-verify': {} });
  const reference = p.positionals[0];
  if (!reference || p.positionals.length > 1) throw new UsageError('"pull" requires exactly one image: cove pull [--platform os/arch] NAME[:TAG|@DIGEST]');
  const quiet = flagBool(p, 'quiet');
  const platform = flagString(p, 'platform');
  let result: Awaited<ReturnType<Engine['images']['pull']>> | undefined;
  await runTask(engine, io, 'pull', reference, quiet, async (t) => {
    result = await engine.images.pull(reference, { ...(platform ? { platform } : {}), tlsVerify: tlsVerify(p), signal: t.signal, progress: t });
  });
  if (!result) return 1;
  if (!quiet) {
    io.err(`Digest: ${result.digest}\n`);
    io.err(result.downloaded ? `Status: Downloaded newer image for ${familiarReference(result.reference)}\n` : `Status: Image is up to date for ${familiarReference(result.reference)}\n`);
  }
  io.out(`${result.reference}\n`);
  return 0;
};

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
    case 'pull':
      return pull(engine, rest, io);
    default:
      throw new UsageError(`unknown image command ${sub ? `"${sub}"` : ''}: use cove image ls|rm|load`);
  }
};

export const IMAGE_COMMANDS: Record<string, Command> = { images, load, rmi, image, pull };
