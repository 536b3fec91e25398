// The build context: a directory, or a tar (file or stdin) unpacked into a
// private temp directory by the layer unpacker (which refuses entries that
// leave it). .dockerignore patterns, with `!` exceptions and `**`, decide
// what COPY and ADD may see (@balena/dockerignore implements Docker's rules).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import * as dockerignoreModule from '@balena/dockerignore';
import type { Ignore } from '@balena/dockerignore';
import { EngineError } from '../errors.js';
import { nativeBinary } from '../install-paths.js';
import { unpackLayer } from '../unpack/unpack-layer.js';

// A CommonJS module whose `module.exports` is the factory: whichever way the loader wraps it.
export const dockerignore = ((dockerignoreModule as unknown as { default?: unknown }).default ?? dockerignoreModule) as (options?: { ignorecase?: boolean }) => Ignore;

export interface BuildContext {
  dir: string;
  /** True for a path (relative, `/`-separated) that .dockerignore excludes. */
  ignored(rel: string): boolean;
  /** Whether .dockerignore has any pattern at all. */
  hasIgnores: boolean;
  dispose(): Promise<void>;
}

export type ContextSource = { kind: 'dir'; path: string } | { kind: 'tar'; stream: Readable };

/** Loads the context; `onBytes` is told how much of a tar context has arrived (a huge context shows progress). */
export async function openContext(source: ContextSource, tmpDir: string, onBytes: (bytes: number) => void = () => undefined): Promise<BuildContext> {
  let dir: string;
  let temp: string | null = null;
  if (source.kind === 'dir') {
    dir = path.resolve(source.path);
    const st = await fsp.stat(dir).catch(() => null);
    if (!st?.isDirectory()) throw new EngineError('E_INVALID_ARGUMENT', `the build context ${source.path} is not a directory (give a directory, a tar file or - for a tar on stdin)`);
  } else {
    await fsp.mkdir(tmpDir, { recursive: true, mode: 0o700 });
    temp = await fsp.mkdtemp(path.join(tmpDir, `build-context-${process.pid}-`));
    dir = path.join(temp, 'ctx');
    await fsp.mkdir(dir, { mode: 0o755 });
    let bytes = 0;
    let last = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes - last >= 4 * 1024 * 1024) {
          last = bytes;
          onBytes(bytes);
        }
        done(null, chunk);
      },
    });
    try {
      await unpackLayer(source.stream.pipe(counter), dir, { chown: false, layerTool: nativeBinary('cove-layer-tool'), idLimit: Number.MAX_SAFE_INTEGER });
    } catch (err) {
      await fsp.rm(temp, { recursive: true, force: true });
      throw new EngineError('E_INVALID_ARGUMENT', `the build context is not a readable tar: ${(err as Error).message}`);
    }
    onBytes(bytes);
  }
  const patterns = await fsp.readFile(path.join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const lines = patterns.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const matcher = dockerignore({ ignorecase: false }).add(lines);
  return {
    dir,
    ignored: (rel) => rel !== '' && rel !== '.' && lines.length > 0 && matcher.ignores(rel),
    hasIgnores: lines.length > 0,
    dispose: async () => {
      if (temp) await fsp.rm(temp, { recursive: true, force: true });
    },
  };
}

/** A Go filepath.Match pattern segment as a RegExp (`*`, `?`, `[...]`, `\` escapes). */
function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + seg.slice(i + 1, end).replace(/^\^|^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else if (c === '\\' && i + 1 < seg.length) re += (seg[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Normalises a source path to one inside the context, or says why it is not. */
export function contextRelative(source: string): string {
  const norm = path.posix.normalize('/' + source.replace(/\\/g, '/')).replace(/^\/+/, '');
  if (source.split('/').includes('..') && path.posix.normalize(source).startsWith('..')) {
    throw new EngineError('E_BUILD_FAILED', `${source}: forbidden path outside the build context`);
  }
  return norm === '.' ? '' : norm.replace(/\/$/, '');
}

/**
 * Paths in the context matching a COPY source (globs per segment, `**`
 * for any depth), never following a symlink to find them.
 */
export function globContext(ctx: BuildContext, source: string): string[] {
  const rel = contextRelative(source);
  if (!/[*?[]/.test(rel)) {
    const abs = path.join(ctx.dir, rel);
    if (rel !== '' && ctx.ignored(rel)) return [];
    return exists(abs) && parentsAreDirs(ctx.dir, rel) ? [rel] : [];
  }
  const segs = rel.split('/');
  const out: string[] = [];
  const walk = (dirRel: string, i: number): void => {
    if (i === segs.length) {
      if (!ctx.ignored(dirRel)) out.push(dirRel);
      return;
    }
    const seg = segs[i] as string;
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(path.join(ctx.dir, dirRel), { withFileTypes: true });
    } catch {
      return;
    }
    if (seg === '**') {
      walk(dirRel, i + 1);
      for (const d of names) if (d.isDirectory()) walk(dirRel ? `${dirRel}/${d.name}` : d.name, i);
      return;
    }
    const re = segmentRegExp(seg);
    for (const d of names.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!re.test(d.name)) continue;
      const child = dirRel ? `${dirRel}/${d.name}` : d.name;
      if (i + 1 < segs.length && !d.isDirectory()) continue;
      walk(child, i + 1);
    }
  };
  walk('', 0);
  return [...new Set(out)];
}

function exists(abs: string): boolean {
  try {
    fs.lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

/** No component before the last may be a symlink: a source is never reached through a link. */
function parentsAreDirs(root: string, rel: string): boolean {
  const parts = rel.split('/');
  let cur = root;
  for (const p of parts.slice(0, -1)) {
    cur = path.join(cur, p);
    try {
      if (!fs.lstatSync(cur).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * sha256 of a file's bytes, remembered by path, inode, size, mtime and
 * ctime: across builds too (loadHashes/saveHashes), so a rebuild of an
 * unchanged context reads no file.
 */
const fileHashes = new Map<string, { stamp: string; hash: string }>();
let hashesChanged = false;

export async function fileHash(abs: string, st: fs.Stats): Promise<string> {
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = fileHashes.get(abs);
  if (known?.stamp === stamp) return known.hash;
  const hash = crypto.createHash('sha256');
  if (st.size < 1024 * 1024) hash.update(await fsp.readFile(abs));
  else for await (const chunk of fs.createReadStream(abs)) hash.update(chunk as Buffer);
  const hex = hash.digest('hex');
  fileHashes.set(abs, { stamp, hash: hex });
  hashesChanged = true;
  return hex;
}

export async function loadHashes(file: string): Promise<void> {
  try {
    const data = JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, { stamp: string; hash: string }>;
    for (const [k, v] of Object.entries(data)) if (!fileHashes.has(k) && typeof v?.stamp === 'string' && typeof v.hash === 'string') fileHashes.set(k, v);
  } catch {
    // none yet, or unreadable: every file is hashed again
  }
}

/** Writes the remembered hashes (at most the 200,000 most recent), temp + rename. */
export async function saveHashes(file: string): Promise<void> {
  if (!hashesChanged) return;
  const entries = [...fileHashes].slice(-200_000);
  const temp = `${file}.${process.pid}.tmp`;
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fsp.writeFile(temp, JSON.stringify(Object.fromEntries(entries)), { mode: 0o600 });
  await fsp.rename(temp, file);
  hashesChanged = false;
}
