// COPY and ADD from the context: which entries the layer gets (Docker's
// destination rules: a trailing slash or an existing directory means
// "into", a directory source copies its contents), their owners and modes,
// and a content hash over names, modes, owners and bytes for the cache key.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { batchedChunks, putEntry, type TarHeader } from './layer-writer.js';
import { EngineError } from '../errors.js';
import { contextRelative, dockerignore, fileHash, globContext, type BuildContext } from './build-context.js';

export interface DirMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

interface Base {
  /** Path inside the image, no leading slash. */
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}
export type PlanEntry =
  | (Base & { kind: 'dir' })
  | (Base & { kind: 'file'; abs: string | null; data: Buffer | null; size: number; hash: string })
  | (Base & { kind: 'symlink'; target: string })
  /** ADD of a local archive: its entries go under `name`. */
  | (Base & { kind: 'archive'; abs: string; hash: string });

export interface CopyRequest {
  ctx: BuildContext;
  sources: string[];
  /** Absolute destination, as written (a trailing slash matters). */
  dest: string;
  owner: { uid: number; gid: number } | null;
  chmod: number | null;
  add: boolean;
  /** Inline files (COPY <<EOF): name -> content. */
  inline: Map<string, string>;
  /** What the parent rootfs has at a path (no leading slash): 'dir', 'other' or null. */
  lowerKind(rel: string): 'dir' | 'other' | null;
  /** An existing directory's mode and owner, kept when the layer must carry it as a parent. */
  lowerDir(rel: string): DirMeta | null;
  /** ADD URL sources fetched to files, by URL. */
  fetched: Map<string, { file: string; name: string }>;
  /** COPY/ADD --exclude: .dockerignore-style patterns, matched against paths inside each source. */
  exclude?: string[];
  /** COPY --parents: each match keeps its path (after a `/./` pivot, if any) under the destination. */
  parents?: boolean;
}

const ARCHIVE_MAGIC: Array<[number, number[]]> = [
  [0, [0x1f, 0x8b]],
  [0, [0x42, 0x5a, 0x68]],
  [0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  [257, [0x75, 0x73, 0x74, 0x61, 0x72]],
];

function isArchive(abs: string): boolean {
  const fd = fs.openSync(abs, 'r');
  try {
    const head = Buffer.alloc(262);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return ARCHIVE_MAGIC.some(([off, bytes]) => n >= off + bytes.length && bytes.every((b, i) => head[off + i] === b));
  } finally {
    fs.closeSync(fd);
  }
}

/** The entries of one COPY/ADD and their content hash. */
export async function planCopy(req: CopyRequest): Promise<{ entries: PlanEntry[]; hash: string }> {
  const entries: PlanEntry[] = [];
  const dest = path.posix.normalize(req.dest).replace(/^\/+/, '');
  const destName = dest === '.' ? '' : dest.replace(/\/$/, '');
  const uid = req.owner?.uid ?? 0;
  const gid = req.owner?.gid ?? 0;
  const made = new Set<string>();
  const now = new Date();
  const ensureDir = (rel: string, mode = 0o755): void => {
    if (rel === '' || made.has(rel)) return;
    const parent = path.posix.dirname(rel);
    if (parent !== '.') ensureDir(parent);
    made.add(rel);
    if (req.lowerKind(rel) === 'dir') {
      const meta = req.lowerDir(rel);
      if (meta) entries.push({ kind: 'dir', name: rel, ...meta });
      return;
    }
    // Parents made on the way get 0755 whatever --chmod says (BuildKit): --chmod is for what is copied.
    entries.push({ kind: 'dir', name: rel, mode, uid, gid, mtime: now });
  };
  const parentOf = (rel: string): void => {
    const p = path.posix.dirname(rel);
    if (p !== '.') ensureDir(p);
  };
  const matches: Array<{ kind: 'ctx'; rel: string; kept: string } | { kind: 'inline'; name: string; content: string } | { kind: 'url'; file: string; name: string }> = [];
  const excluder = req.exclude && req.exclude.length > 0 ? dockerignore({ ignorecase: false }).add(req.exclude) : null;
  const excluded = (rel: string): boolean => excluder !== null && rel !== '' && excluder.ignores(rel);
  for (const src of req.sources) {
    const inline = req.inline.get(src);
    if (inline !== undefined) {
      matches.push({ kind: 'inline', name: src, content: inline });
      continue;
    }
    const fetched = req.fetched.get(src);
    if (fetched) {
      matches.push({ kind: 'url', ...fetched });
      continue;
    }
    const found = globContext(req.ctx, src);
    if (found.length === 0 && !/[*?[]/.test(src)) {
      throw new EngineError('E_BUILD_FAILED', `${req.add ? 'ADD' : 'COPY'} failed: ${src} not found in the build context (or excluded by .dockerignore)`);
    }
    // --parents keeps what follows a `/./` in the source (rsync --relative), or the whole path.
    const pivot = /^(.*?)\/\.\//.exec(src.replace(/^\.\//, ''))?.[1];
    const cut = pivot === undefined ? '' : contextRelative(pivot);
    for (const rel of found) matches.push({ kind: 'ctx', rel, kept: cut && rel.startsWith(`${cut}/`) ? rel.slice(cut.length + 1) : rel });
  }
  if (matches.length === 0) throw new EngineError('E_BUILD_FAILED', `${req.add ? 'ADD' : 'COPY'} failed: no source files were specified or matched (${req.sources.join(' ')})`);
  const intoDir = req.parents === true || req.dest.endsWith('/') || req.lowerKind(destName) === 'dir' || destName === '';
  if (matches.length > 1 && !intoDir) {
    throw new EngineError('E_BUILD_FAILED', `with more than one source file the destination must be a directory and end with a /: ${req.dest}`);
  }
  const target = (base: string): string => (intoDir ? (destName ? `${destName}/${base}` : base) : destName);
  // Synchronous stats: a tree of thousands of files is walked without a thread-pool round trip per file.
  const addTree = async (abs: string, name: string, srcRel: string): Promise<void> => {
    if (excluded(srcRel)) return;
    const st = fs.lstatSync(abs);
    const mtime = st.mtime;
    if (st.isSymbolicLink()) {
      parentOf(name);
      entries.push({ kind: 'symlink', name, target: fs.readlinkSync(abs), mode: 0o777, uid, gid, mtime });
    } else if (st.isDirectory()) {
      if (name !== '') {
        parentOf(name);
        if (!made.has(name)) {
          made.add(name);
          entries.push({ kind: 'dir', name, mode: req.chmod ?? st.mode & 0o7777, uid, gid, mtime });
        }
      }
      for (const child of fs.readdirSync(abs).sort()) {
        const rel = path.relative(req.ctx.dir, path.join(abs, child)).split(path.sep).join('/');
        if (req.ctx.ignored(rel)) continue;
        await addTree(path.join(abs, child), name ? `${name}/${child}` : child, srcRel ? `${srcRel}/${child}` : child);
      }
    } else if (st.isFile()) {
      parentOf(name);
      entries.push({ kind: 'file', name, abs, data: null, size: st.size, hash: await fileHash(abs, st), mode: req.chmod ?? st.mode & 0o7777, uid, gid, mtime });
    }
    // Sockets, FIFOs and devices in a context are not copied (as Docker).
  };
  for (const m of matches) {
    if (m.kind === 'inline') {
      const name = target(m.name);
      parentOf(name);
      const data = Buffer.from(m.content);
      entries.push({ kind: 'file', name, abs: null, data, size: data.length, hash: crypto.createHash('sha256').update(data).digest('hex'), mode: req.chmod ?? 0o644, uid, gid, mtime: now });
      continue;
    }
    if (m.kind === 'url') {
      const name = target(m.name);
      parentOf(name);
      const st = await fsp.stat(m.file);
      entries.push({ kind: 'file', name, abs: m.file, data: null, size: st.size, hash: await fileHash(m.file, st), mode: req.chmod ?? 0o600, uid, gid, mtime: st.mtime });
      continue;
    }
    const abs = path.join(req.ctx.dir, m.rel);
    const st = fs.lstatSync(abs);
    const base = req.parents ? [destName, m.kept].filter(Boolean).join('/') : destName;
    // A match itself is excluded by its name (`COPY --exclude=*.txt hom* /d/`); what is under a directory by its path inside it.
    if (m.rel !== '' && excluded(path.posix.basename(m.rel))) continue;
    if (st.isDirectory()) {
      ensureDir(base);
      for (const child of fs.readdirSync(abs).sort()) {
        const rel = m.rel ? `${m.rel}/${child}` : child;
        if (req.ctx.ignored(rel)) continue;
        await addTree(path.join(abs, child), base ? `${base}/${child}` : child, child);
      }
    } else if (req.add && st.isFile() && isArchive(abs)) {
      ensureDir(destName);
      entries.push({ kind: 'archive', name: destName, abs, hash: await fileHash(abs, st), mode: 0o755, uid, gid, mtime: st.mtime });
    } else {
      await addTree(abs, req.parents ? base : target(path.posix.basename(m.rel)), '');
    }
  }
  const hash = crypto.createHash('sha256');
  for (const e of entries) {
    const extra = e.kind === 'file' || e.kind === 'archive' ? e.hash : e.kind === 'symlink' ? e.target : '';
    hash.update(`${e.kind}\0${e.name}\0${e.mode}\0${e.uid}\0${e.gid}\0${extra}\n`);
  }
  return { entries, hash: `sha256:${hash.digest('hex')}` };
}

/** The layer tar of a plan, streamed (file bytes are read as they are written). */
export function planAsTar(entries: PlanEntry[]): Readable {
  const pack = tar.pack();
  const out = batchedChunks();
  pack.pipe(out);
  const put = (h: TarHeader, body?: Buffer): Promise<void> => putEntry(pack, h, body);
  const work = async (): Promise<void> => {
    for (const e of entries) {
      const base = { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
      if (e.kind === 'dir') await put({ ...base, name: `${e.name}/`, type: 'directory' });
      else if (e.kind === 'symlink') await put({ ...base, name: e.name, type: 'symlink', linkname: e.target });
      else if (e.kind === 'file') {
        if (e.data) await put({ ...base, name: e.name, type: 'file', size: e.data.length }, e.data);
        // Small files in one read: a stream per entry costs more than the bytes.
        // Read synchronously: thousands of small files cost a thread-pool round trip each otherwise.
        else if (e.size < 1024 * 1024) await put({ ...base, name: e.name, type: 'file', size: e.size }, fs.readFileSync(e.abs as string));
        else {
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ ...base, name: e.name, type: 'file', size: e.size }, (err) => (err ? reject(err) : resolve()));
            fs.createReadStream(e.abs as string).on('error', reject).pipe(sink);
          });
        }
      } else await addArchive(e.abs, e.name, put);
    }
    pack.finalize();
  };
  work().catch((err: Error) => out.destroy(err));
  return out;
}

/** ADD of a local tar (plain, gzip, bzip2 or xz): its entries re-rooted at `dest`, `..` refused. */
async function addArchive(abs: string, dest: string, put: (h: TarHeader, b?: Buffer) => Promise<void>): Promise<void> {
  const extract = tar.extract();
  const head = Buffer.alloc(6);
  const fd = fs.openSync(abs, 'r');
  fs.readSync(fd, head, 0, 6, 0);
  fs.closeSync(fd);
  const file = fs.createReadStream(abs);
  if (head[0] === 0x1f && head[1] === 0x8b) file.pipe(zlib.createGunzip()).pipe(extract);
  else if (head[0] === 0x42 && head[1] === 0x5a) spawn('bzip2', ['-dc', abs], { stdio: ['ignore', 'pipe', 'ignore'] }).stdout.pipe(extract);
  else if (head[0] === 0xfd && head[1] === 0x37) spawn('xz', ['-dc', abs], { stdio: ['ignore', 'pipe', 'ignore'] }).stdout.pipe(extract);
  else file.pipe(extract);
  for await (const entry of extract) {
    const h = entry.header;
    const clean = path.posix.normalize('/' + h.name).replace(/^\/+/, '').replace(/\/$/, '');
    if (clean === '' || clean.split('/').includes('..')) {
      entry.resume();
      continue;
    }
    const name = dest ? `${dest}/${clean}` : clean;
    const base = { mode: h.mode ?? 0o644, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime ?? new Date(0) };
    if (h.type === 'file') {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      await put({ ...base, name, type: 'file' }, Buffer.concat(chunks));
    } else {
      entry.resume();
      if (h.type === 'directory') await put({ ...base, name: `${name}/`, type: 'directory' });
      else if (h.type === 'symlink') await put({ ...base, name, type: 'symlink', linkname: h.linkname ?? '' });
      else if (h.type === 'link') {
        const target = path.posix.normalize('/' + (h.linkname ?? '')).replace(/^\/+/, '');
        await put({ ...base, name, type: 'link', linkname: dest ? `${dest}/${target}` : target });
      }
    }
  }
}
