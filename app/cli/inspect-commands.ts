// `cove inspect [--type T] [-f FORMAT] NAME...` and the typed spellings
// (`container inspect`, `image inspect`, `volume inspect`): docker's JSON
// shapes, an array indented by 4, or one template output per object.
import type { CliEngine } from './cli-engine.js';
import { EngineError } from '../engine/errors.js';
import { flagBool, flagString, parseArgs, requireArgs, UsageError } from './args.js';
import { errorCode, formatError, type Command } from './cli-kit.js';
import { renderOne } from './template-output.js';
import { verb } from './verbs.js';

export type ObjectType = 'container' | 'image' | 'volume';
const TYPES: readonly ObjectType[] = ['container', 'image', 'volume'];

/** docker volume inspect's shape. */
export async function volumeInspect(engine: CliEngine, name: string): Promise<Record<string, unknown>> {
  const v = await engine.call('volumes:inspect', { name });
  // docker's fields, then Cove's own two: whether it is anonymous and which containers use it.
  return { CreatedAt: v.createdAt, Driver: 'local', Labels: v.labels, Mountpoint: v.mountpoint, Name: v.name, Options: null, Scope: 'local', Anonymous: v.anonymous, UsedBy: v.usedBy };
}

async function find(engine: CliEngine, query: string, type: ObjectType | undefined): Promise<unknown> {
  const attempts: Array<[ObjectType, () => Promise<unknown>]> = [
    ['container', () => engine.call('containers:inspect', { id: query })],
    ['image', () => engine.call('images:inspect', { reference: query })],
    ['volume', () => volumeInspect(engine, query)],
  ];
  for (const [kind, look] of attempts) {
    if (type && kind !== type) continue;
    try {
      return await look();
    } catch (err) {
      // Not this kind of object: try the next, as docker does (containers, then images, then volumes).
      // A name that cannot be a container id is refused by validation (E_INVALID_ARGUMENT): not a container either.
      const code = errorCode(err);
      if (code && /NOT_FOUND|INVALID_REFERENCE|INVALID_ARGUMENT/.test(code)) continue;
      throw err;
    }
  }
  throw new EngineError(type === 'container' ? 'E_CONTAINER_NOT_FOUND' : type === 'image' ? 'E_IMAGE_NOT_FOUND' : type === 'volume' ? 'E_VOLUME_NOT_FOUND' : 'E_CONTAINER_NOT_FOUND', `No such ${type ?? 'object'}: ${query}`);
}

/** docker inspect --size on a container: SizeRw (its writable layer) and SizeRootFs (that plus the image). */
async function withSizes(engine: CliEngine, obj: unknown): Promise<unknown> {
  const c = obj as { Id?: unknown; Image?: unknown; State?: unknown };
  if (typeof c.Id !== 'string' || typeof c.Image !== 'string' || c.State === undefined) return obj;
  // The engine measures the writable layer (system:df's per-container sizes).
  const rw = (await engine.call('system:df', {})).containerSizes.find((x) => x.id === c.Id)?.size ?? 0;
  const image = await engine.call('images:inspect', { reference: c.Image }).then((i) => i.Size, () => 0);
  return { ...c, SizeRw: rw, SizeRootFs: rw + image };
}

async function inspectAll(engine: CliEngine, io: Parameters<Command>[2], names: string[], type: ObjectType | undefined, format: string | undefined, size = false): Promise<number> {
  const found: unknown[] = [];
  let failed = 0;
  let text = '';
  for (const q of names) {
    try {
      const hit = await find(engine, q, type);
      const obj = size ? await withSizes(engine, hit) : hit;
      found.push(obj);
      if (format !== undefined) text += renderOne(format, obj);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      failed++;
      io.err(formatError(err));
    }
  }
  // docker prints what it found even when some names were not found, and exits 1.
  io.out(format !== undefined ? text : JSON.stringify(found, null, 4) + '\n');
  return failed === 0 ? 0 : 1;
}

const inspect: Command = async (engine, argv, io) => {
  const spec = verb('inspect');
  const p = parseArgs(argv, spec);
  const names = requireArgs(p, spec, 1);
  const type = flagString(p, 'type');
  if (type !== undefined && !TYPES.includes(type as ObjectType)) throw new UsageError(`"${type}" is not a valid value for --type`);
  return inspectAll(engine, io, names, type as ObjectType | undefined, flagString(p, 'format'), flagBool(p, 'size'));
};

/** `container inspect`, `image inspect`, `volume inspect`. */
export function typedInspect(type: ObjectType): Command {
  return async (engine, argv, io) => {
    const spec = verb(`${type} inspect`);
    const p = parseArgs(argv, spec);
    return inspectAll(engine, io, requireArgs(p, spec, 1), type, flagString(p, 'format'), type === 'container' && flagBool(p, 'size'));
  };
}

export const INSPECT_COMMANDS: Record<string, Command> = { inspect };
