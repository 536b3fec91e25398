// RUN --mount, as BuildKit's Dockerfile reference defines it: type=cache (a
// directory kept across builds), type=bind (a path of the context or of a
// stage or image, read-only unless rw; writes to an rw bind are thrown
// away), type=tmpfs and type=secret (a file, or an environment variable,
// given with `cove build --secret`). None of them ends up in the layer: the
// mount points the runtime had to create are removed from the step's upper
// directory afterwards, and a secret's bytes are never part of the cache key.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.js';
import type { IdMappings } from '../idmap.js';
import type { ImageLayer } from '../store/image-index.js';
import type { LayerStore } from '../store/layer-store.js';
import { runInUserns } from '../userns.js';
import { dockerfileError, flagValues, type Instruction } from './dockerfile-parser.js';
import { contextRelative, type BuildContext } from './build-context.js';
import { planCopy } from './copy-plan.js';
import type { BuildCache } from './build-cache.js';

/** A build secret: a file on the engine's host, or a value (from the CLI's environment). */
export type SecretSource = { file: string } | { value: string };

export type RunMount =
  | { type: 'cache'; target: string; id: string; readOnly: boolean }
  | { type: 'bind'; target: string; source: string; from: string | null; readWrite: boolean }
  | { type: 'tmpfs'; target: string; size: string | null }
  | { type: 'secret'; target: string | null; id: string; env: string | null; required: boolean; mode: number; uid: number; gid: number };

const KEYS: Record<RunMount['type'], string[]> = {
  cache: ['id', 'target', 'ro', 'readonly', 'sharing'],
  bind: ['target', 'source', 'from', 'rw', 'readwrite'],
  tmpfs: ['target', 'size'],
  secret: ['id', 'target', 'env', 'required', 'mode', 'uid', 'gid'],
};
const ALIASES: Record<string, string> = { dst: 'target', destination: 'target', src: 'source', readonly: 'ro', readwrite: 'rw' };

function bool(v: string | undefined): boolean {
  return v !== undefined && v !== 'false' && v !== '0';
}

/** The --mount flags of a RUN, checked; relative targets resolve against WORKDIR. */
export function parseRunMounts(file: string, ins: Instruction, workdir: string): RunMount[] {
  return flagValues(ins, 'mount').map((m) => {
    const opts = new Map<string, string>();
    for (const kv of m.split(',')) {
      if (kv === '') continue;
      const eq = kv.indexOf('=');
      const k = (eq < 0 ? kv : kv.slice(0, eq)).trim().toLowerCase();
      opts.set(ALIASES[k] ?? k, eq < 0 ? 'true' : kv.slice(eq + 1));
    }
    const type = opts.get('type') ?? 'bind';
    opts.delete('type');
    if (type === 'ssh') throw dockerfileError(file, ins.line, `RUN --mount=type=ssh is not supported (rootless builds have no SSH agent forwarding yet)`);
    if (!(type in KEYS)) throw dockerfileError(file, ins.line, `RUN --mount=${m}: unknown type ${type} (use bind, cache, tmpfs or secret)`);
    const allowed = KEYS[type as RunMount['type']];
    for (const k of opts.keys()) {
      const known = allowed.includes(k) || (k === 'ro' && allowed.includes('readonly')) || (k === 'rw' && allowed.includes('readwrite'));
      if (!known) throw dockerfileError(file, ins.line, `RUN --mount=${m}: type=${type} does not take ${k}`);
    }
    const rawTarget = opts.get('target');
    const target = rawTarget ? path.posix.resolve(workdir || '/', rawTarget) : null;
    if (type === 'secret') {
      const id = opts.get('id') ?? (rawTarget ? path.posix.basename(rawTarget) : undefined);
      if (!id) throw dockerfileError(file, ins.line, `RUN --mount=${m}: a secret needs id= (or target=)`);
      const mode = opts.get('mode') ?? '0400';
      if (!/^[0-7]{1,4}$/.test(mode)) throw dockerfileError(file, ins.line, `RUN --mount=${m}: mode=${mode} is not an octal mode`);
      const num = (k: string): number => {
        const v = opts.get(k) ?? '0';
        if (!/^\d+$/.test(v)) throw dockerfileError(file, ins.line, `RUN --mount=${m}: ${k}=${v} is not a number`);
        return Number(v);
      };
      const env = opts.get('env') ?? null;
      if (env !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) throw dockerfileError(file, ins.line, `RUN --mount=${m}: env=${env} is not a variable name`);
      // BuildKit: with env= and no target the secret is only in the environment.
      const secretTarget = target ?? (env !== null ? null : `/run/secrets/${id}`);
      return { type: 'secret', target: secretTarget, id, env, required: bool(opts.get('required')), mode: parseInt(mode, 8), uid: num('uid'), gid: num('gid') };
    }
    if (!target) throw dockerfileError(file, ins.line, `RUN --mount=${m} needs target=`);
    if (type === 'cache') return { type: 'cache', target, id: opts.get('id') ?? target, readOnly: bool(opts.get('ro')) };
    if (type === 'tmpfs') {
      const size = opts.get('size') ?? null;
      if (size !== null && !/^\d+[kmg]?$/i.test(size)) throw dockerfileError(file, ins.line, `RUN --mount=${m}: size=${size}: give bytes, or a number with k, m or g`);
      return { type: 'tmpfs', target, size };
    }
    return { type: 'bind', target, source: opts.get('source') ?? '/', from: opts.get('from') ?? null, readWrite: bool(opts.get('rw')) };
  });
}

export interface MountDeps {
  file: string;
  line: number;
  ctx: BuildContext;
  cache: BuildCache;
  layers: LayerStore;
  mappings: IdMappings;
  secrets: Record<string, SecretSource>;
  /** A stage's or image's layers (bind from=). */
  source(name: string): Promise<{ layers: ImageLayer[]; identity: string }>;
}

/**
 * What each mount adds to the step's cache key: a bind's source content
 * (or its stage's identity), never a secret's bytes.
 */
export async function mountKeys(deps: MountDeps, mounts: RunMount[]): Promise<string[]> {
  const keys: string[] = [];
  for (const m of mounts) {
    if (m.type === 'bind') {
      const what = m.from ? (await deps.source(m.from)).identity : (await planCopy({ ctx: deps.ctx, sources: [m.source === '/' ? '.' : m.source], dest: '/m/', owner: null, chmod: null, add: false, inline: new Map(), lowerKind: () => null, lowerDir: () => null, fetched: new Map() }).catch((err: Error) => {
        throw dockerfileError(deps.file, deps.line, `RUN --mount=type=bind,source=${m.source}: ${err.message.replace(/^COPY failed: /, '')}`);
      })).hash;
      keys.push(JSON.stringify({ ...m, content: what }));
    } else if (m.type === 'secret') keys.push(JSON.stringify(m));
    else keys.push(JSON.stringify(m));
  }
  return keys;
}

export interface PreparedMounts {
  /** `--mount` strings for the run config (bind and tmpfs). */
  mounts: string[];
  env: string[];
  /** Container paths the runtime may have to create: removed from the layer after the run. */
  targets: string[];
}

/** Sets the mounts up in `scratch` (the step's own directory, removed after it). */
export async function prepareMounts(deps: MountDeps, mounts: RunMount[], scratch: string): Promise<PreparedMounts> {
  const out: PreparedMounts = { mounts: [], env: [], targets: [] };
  let n = 0;
  const fresh = async (what: string): Promise<string> => {
    const dir = path.join(scratch, `mount-${n++}-${what}`);
    await fsp.mkdir(dir, { mode: 0o755 });
    return dir;
  };
  for (const m of mounts) {
    if (m.target) out.targets.push(m.target);
    if (m.type === 'cache') {
      const dir = deps.cache.mountDir(m.id);
      await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
      out.mounts.push(`type=bind,source=${dir},target=${m.target}${m.readOnly ? ',readonly' : ''}`);
    } else if (m.type === 'tmpfs') {
      out.mounts.push(`type=tmpfs,target=${m.target}${m.size ? `,tmpfs-size=${m.size}` : ''}`);
    } else if (m.type === 'secret') {
      const s = deps.secrets[m.id];
      if (!s) {
        if (m.required) throw new EngineError('E_BUILD_FAILED', `${deps.file}:${deps.line}: the secret ${m.id} is required: give it with cove build --secret id=${m.id},src=FILE`);
        continue;
      }
      const value = 'value' in s ? Buffer.from(s.value) : await fsp.readFile(s.file).catch((err: Error) => {
        throw new EngineError('E_INVALID_ARGUMENT', `the secret ${m.id}: cannot read ${s.file}: ${err.message}`);
      });
      if (m.env) out.env.push(`${m.env}=${value.toString('utf8')}`);
      if (!m.target) continue;
      const file = path.join(await fresh('secret'), 'secret');
      await fsp.writeFile(file, value, { mode: 0o600 });
      await fsp.chmod(file, m.mode);
      if (m.uid !== 0 || m.gid !== 0) await runInUserns(deps.mappings, ['chown', `${m.uid}:${m.gid}`, file]);
      out.mounts.push(`type=bind,source=${file},target=${m.target},readonly`);
    } else if (!m.from) {
      out.mounts.push(`type=bind,source=${await contextSource(deps, m, fresh)},target=${m.target}${m.readWrite ? '' : ',readonly'}`);
    } else {
      const layers = (await deps.source(m.from)).layers.map((l) => deps.layers.diffPath(l.chainId)).reverse();
      const rel = path.posix.normalize('/' + m.source).replace(/^\/+/, '').replace(/\/$/, '');
      const lower = [...layers, await fresh('empty')].join(':');
      out.mounts.push(`type=bind,source=${await stageCopy(deps, m, lower, rel, await fresh('from'))},target=${m.target}${m.readWrite ? '' : ',readonly'}`);
    }
  }
  return out;
}

/** A context path to bind: the directory itself, or a copy without what .dockerignore excludes (or for rw). */
async function contextSource(deps: MountDeps, m: RunMount & { type: 'bind' }, fresh: (what: string) => Promise<string>): Promise<string> {
  const rel = contextRelative(m.source);
  const abs = path.join(deps.ctx.dir, rel);
  const [root, real] = await Promise.all([fsp.realpath(deps.ctx.dir), fsp.realpath(abs).catch(() => null)]);
  if (real === null) throw new EngineError('E_BUILD_FAILED', `${deps.file}:${deps.line}: RUN --mount=type=bind,source=${m.source}: not found in the build context`);
  if (real !== root && !real.startsWith(root + path.sep)) throw new EngineError('E_BUILD_FAILED', `${deps.file}:${deps.line}: RUN --mount=type=bind,source=${m.source} leads out of the build context`);
  if (!m.readWrite && !deps.ctx.hasIgnores) return real;
  const dest = path.join(await fresh('ctx'), 'src');
  copyTree(deps.ctx, real, rel, dest, !m.readWrite);
  return dest;
}

/** Copies (or, read-only, hard-links) a context tree, leaving out what .dockerignore excludes; symlinks stay links. */
function copyTree(ctx: BuildContext, abs: string, rel: string, dest: string, link: boolean): void {
  const st = fs.lstatSync(abs);
  if (st.isDirectory()) {
    fs.mkdirSync(dest, { mode: st.mode & 0o7777 });
    for (const name of fs.readdirSync(abs)) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (!ctx.ignored(childRel)) copyTree(ctx, path.join(abs, name), childRel, path.join(dest, name), link);
    }
  } else if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(abs), dest);
  else if (st.isFile()) {
    try {
      if (!link) throw new Error('copy');
      fs.linkSync(abs, dest);
    } catch {
      fs.copyFileSync(abs, dest);
    }
  }
}

/**
 * A path of a stage (its root by default), copied out of an overlay of its
 * layers inside the user namespace (owners kept): the runtime mounts an
 * overlay only as the root filesystem. No component may be a symlink: the
 * overlay is mounted on a host path, where an absolute link would lead to
 * the host.
 */
async function stageCopy(deps: MountDeps, m: RunMount & { type: 'bind' }, lower: string, rel: string, dir: string): Promise<string> {
  const merged = path.join(dir, 'merged');
  const dest = path.join(dir, 'src');
  await fsp.mkdir(merged, { mode: 0o700 });
  const script = [
    'set -e',
    'mount -t overlay overlay -o "lowerdir=$1,userxattr,ro" "$2"',
    'p="$2"',
    'IFS=/',
    'for c in $3; do [ -z "$c" ] && continue; p="$p/$c"; if [ -L "$p" ]; then echo "symlink: $c" >&2; exit 3; fi; done',
    '[ -e "$p" ] || { echo "missing" >&2; exit 4; }',
    'cp -a -- "$p" "$4"',
  ].join('\n');
  try {
    await runInUserns(deps.mappings, ['sh', '-c', script, 'bind-from', lower, merged, rel, dest], { mountNs: true });
  } catch (err) {
    const why = /symlink: (.*)/.exec((err as Error).message)?.[1];
    const what = `${deps.file}:${deps.line}: RUN --mount=type=bind,from=${m.from},source=${m.source}`;
    if (why) throw new EngineError('E_BUILD_FAILED', `${what}: ${why} is a symlink (not followed)`);
    if (/missing/.test((err as Error).message)) throw new EngineError('E_BUILD_FAILED', `${what}: not found in ${m.from}`);
    throw new EngineError('E_BUILD_FAILED', `${what}: ${(err as Error).message}`);
  }
  return dest;
}

/**
 * Removes from the step's upper directory the mount points the runtime made
 * (and the parents it made for them), when the parent layers did not have
 * them and the command left them empty: a mount is not part of the image.
 */
export async function removeMountStubs(mappings: IdMappings, upper: string, targets: string[], inLower: (rel: string) => boolean): Promise<void> {
  const stale: string[] = [];
  for (const t of targets) {
    let rel = t.replace(/^\/+/, '');
    while (rel !== '' && rel !== '.' && !inLower(rel)) {
      stale.push(rel);
      rel = path.posix.dirname(rel);
    }
  }
  // Deepest first; a path the command filled is left alone (rmdir refuses, a non-empty file is kept).
  const ordered = [...new Set(stale)].sort((a, b) => b.split('/').length - a.split('/').length);
  if (ordered.length === 0) return;
  const script = 'for p in "$@"; do if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir -- "$p" 2>/dev/null || true; elif [ -f "$p" ] && [ ! -s "$p" ] && [ ! -L "$p" ]; then rm -f -- "$p"; fi; done';
  await runInUserns(mappings, ['sh', '-c', script, 'stubs', ...ordered.map((r) => path.join(upper, r))]);
}
