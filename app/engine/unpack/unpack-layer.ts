import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { EngineError, isNodeError } from '../errors.js';
import { sanitizeEntryName, underRoot, unsafe } from './entry-path.js';
import { decompressor } from './decompress.js';
import { ByteCounter, checkLayerSize, DEFAULT_LAYER_LIMITS, type LayerLimits } from './layer-limits.js';
import { sparseInfo, writeSparse, type SparseInfo } from './sparse.js';

export interface UnpackOptions {
  /** Apply tar owners with lchown; needs to run inside the user namespace. */
  chown: boolean;
  /** Path of native/build/cove-layer-tool for whiteouts, opaque dirs and FIFOs. */
  layerTool: string;
  /** Highest container uid/gid the mapping covers (exclusive). */
  idLimit: number;
  /** Caps on the uncompressed size and the compression ratio (decompression bombs). */
  limits?: LayerLimits;
}

export interface UnpackResult {
  /** sha256 of the uncompressed tar: the layer's diff ID. */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  size: number;
  skippedDevices: number;
}

interface Meta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

type Special = { kind: 'w' | 'o'; path: string } | { kind: 'f'; path: string; mode: number };

/** Hashes and counts what flows through, unchanged; fails the stream once it breaks a cap. */
class DigestCounter extends Transform {
  readonly hash = crypto.createHash('sha256');
  bytes = 0;
  constructor(
    private readonly compressed: ByteCounter,
    private readonly limits: LayerLimits,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    try {
      checkLayerSize(this.bytes, this.compressed.bytes, this.limits);
    } catch (err) {
      done(err as Error);
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/**
 * Extracts one layer tar into `root` without ever following a symlink or
 * `..` out of it: every parent component is lstat'ed and must be a real
 * directory, hardlink sources must be regular entries inside the root, and
 * existing entries are unlinked (never written through) before replacement.
 * Whiteouts become overlayfs whiteouts.
 */
export async function unpackLayer(source: Readable, root: string, options: UnpackOptions): Promise<UnpackResult> {
  const limits = options.limits ?? DEFAULT_LAYER_LIMITS;
  const compressed = new ByteCounter();
  const counter = new DigestCounter(compressed, limits);
  const extract = tar.extract();
  const knownDirs = new Set<string>(['']);
  const dirMeta = new Map<string, Meta>();
  const specials: Special[] = [];
  const specialMeta = new Map<string, Meta>();
  let skippedDevices = 0;

  const checkIds = (name: string, uid: number, gid: number): void => {
    if (!options.chown) return;
    if (uid >= options.idLimit || gid >= options.idLimit || uid < 0 || gid < 0) {
      throw new EngineError(
        'E_NO_SUBUID',
        `layer entry ${JSON.stringify(name)} belongs to ${uid}:${gid}, but your subordinate id range only covers 0-${options.idLimit - 1}; give your user a larger range in /etc/subuid and /etc/subgid`,
      );
    }
  };

  // The root is normally a fresh, empty directory (LayerStore makes one per unpack): then what
  // exists is exactly what this layer created, and most lstat(2) calls can be skipped.
  const fresh = fs.readdirSync(root).length === 0;
  const created = new Set<string>();

  const forget = (rel: string): void => {
    for (const d of knownDirs) if (d === rel || d.startsWith(rel + '/')) knownDirs.delete(d);
    for (const d of dirMeta.keys()) if (d === rel || d.startsWith(rel + '/')) dirMeta.delete(d);
    for (const d of created) if (d === rel || d.startsWith(rel + '/')) created.delete(d);
  };

  // Synchronous syscalls on purpose: this runs in a worker process of its own, and a sync
  // call costs microseconds where a threadpool round trip per call dominated unpack time.
  const ensureDirs = (relDir: string, entryName: string): void => {
    if (knownDirs.has(relDir)) return;
    const parts = relDir.split('/');
    let cur = '';
    for (const part of parts) {
      cur = cur === '' ? part : `${cur}/${part}`;
      if (knownDirs.has(cur)) continue;
      const abs = underRoot(root, cur);
      const st = fresh && !created.has(cur) ? undefined : lstatOrUndefined(abs);
      if (st === undefined) {
        fs.mkdirSync(abs, { mode: 0o755 });
      } else if (st.isSymbolicLink()) {
        throw unsafe(entryName, `goes through the symlink ${JSON.stringify(cur)}`);
      } else if (!st.isDirectory()) {
        throw unsafe(entryName, `goes through ${JSON.stringify(cur)}, which is not a directory`);
      }
      knownDirs.add(cur);
    }
  };

  const removeExisting = (rel: string, keepDir: boolean): boolean => {
    if (fresh && !created.has(rel) && !knownDirs.has(rel)) return false;
    const abs = underRoot(root, rel);
    const st = lstatOrUndefined(abs);
    if (st === undefined) return false;
    if (keepDir && st.isDirectory()) return true;
    fs.rmSync(abs, { recursive: true, force: true });
    forget(rel);
    return false;
  };

  const applyMeta = (abs: string, meta: Meta, isLink: boolean): void => {
    if (options.chown) fs.lchownSync(abs, meta.uid, meta.gid);
    if (!isLink) fs.chmodSync(abs, meta.mode & 0o7777);
    fs.lutimesSync(abs, meta.mtime, meta.mtime);
  };

  /** A new regular file: O_EXCL|O_NOFOLLOW, so it is never written through a link; metadata through the fd (libuv opens with O_CLOEXEC). */
  const writeFile = (abs: string, meta: Meta, stream: Readable, sparse: SparseInfo | null): Promise<void> =>
    new Promise((resolve, reject) => {
      let fd: number;
      try {
        fd = fs.openSync(abs, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      } catch (err) {
        reject(err);
        return;
      }
      const fail = (err: unknown): void => {
        try {
          fs.closeSync(fd);
        } catch {
          // already closed
        }
        reject(err);
      };
      const finish = (): void => {
        try {
          // chown before chmod: chown(2) clears the setuid and setgid bits.
          if (options.chown) fs.fchownSync(fd, meta.uid, meta.gid);
          fs.fchmodSync(fd, meta.mode & 0o7777);
          fs.futimesSync(fd, meta.mtime, meta.mtime);
          fs.closeSync(fd);
          resolve();
        } catch (err) {
          fail(err);
        }
      };
      if (sparse) {
        writeSparse(fd, stream, sparse, limits.maxBytes).then(finish, fail);
        return;
      }
      stream.on('data', (chunk: Buffer) => {
        try {
          let off = 0;
          while (off < chunk.length) off += fs.writeSync(fd, chunk, off, chunk.length - off);
        } catch (err) {
          stream.removeAllListeners('data');
          fail(err);
        }
      });
      stream.on('error', fail);
      stream.on('end', finish);
    });

  extract.on('entry', (header, stream, next) => {
    let consumed = false;
    const handle = async (): Promise<void> => {
      const sparse = sparseInfo(header.name, header.type ?? null, header.pax as Record<string, string> | null | undefined);
      const rel = sanitizeEntryName(sparse?.name ?? header.name);
      const meta: Meta = {
        mode: header.mode ?? 0o644,
        uid: header.uid ?? 0,
        gid: header.gid ?? 0,
        mtime: header.mtime ?? new Date(0),
      };
      if (rel === '') {
        if (header.type === 'directory') dirMeta.set('', meta);
        return;
      }
      const slash = rel.lastIndexOf('/');
      const parent = slash < 0 ? '' : rel.slice(0, slash);
      const base = slash < 0 ? rel : rel.slice(slash + 1);
      ensureDirs(parent, header.name);
      if (base === '.wh..wh..opq') {
        specials.push({ kind: 'o', path: underRoot(root, parent) });
        return;
      }
      if (base.startsWith('.wh.')) {
        const hidden = base.slice(4);
        if (hidden === '' || hidden === '.' || hidden === '..') throw unsafe(header.name, 'is a whiteout of nothing');
        const hiddenRel = parent === '' ? hidden : `${parent}/${hidden}`;
        removeExisting(hiddenRel, false);
        specials.push({ kind: 'w', path: underRoot(root, hiddenRel) });
        return;
      }
      checkIds(header.name, meta.uid, meta.gid);
      const abs = underRoot(root, rel);
      switch (header.type) {
        case 'directory': {
          const exists = removeExisting(rel, true);
          if (!exists) fs.mkdirSync(abs, { mode: 0o700 });
          knownDirs.add(rel);
          dirMeta.set(rel, meta);
          return;
        }
        case 'file':
        case 'contiguous-file': {
          removeExisting(rel, false);
          consumed = true;
          created.add(rel);
          await writeFile(abs, meta, stream as unknown as Readable, sparse);
          return;
        }
        case 'symlink': {
          removeExisting(rel, false);
          fs.symlinkSync(header.linkname ?? '', abs);
          created.add(rel);
          applyMeta(abs, meta, true);
          return;
        }
        case 'link': {
          const targetRel = sanitizeEntryName(header.linkname ?? '');
          if (targetRel === '') throw unsafe(header.name, 'is a hardlink to the layer root');
          const tslash = targetRel.lastIndexOf('/');
          await ensureDirsExisting(root, tslash < 0 ? '' : targetRel.slice(0, tslash), header.name);
          const src = underRoot(root, targetRel);
          const st = lstatOrUndefined(src);
          if (st === undefined) throw unsafe(header.name, `is a hardlink to ${JSON.stringify(header.linkname)}, which is not in this layer`);
          if (st.isDirectory()) throw unsafe(header.name, 'is a hardlink to a directory');
          if (targetRel === rel) return;
          removeExisting(rel, false);
          fs.linkSync(src, abs);
          created.add(rel);
          return;
        }
        case 'fifo': {
          removeExisting(rel, false);
          specials.push({ kind: 'f', path: abs, mode: meta.mode & 0o7777 });
          specialMeta.set(abs, meta);
          return;
        }
        case 'character-device':
        case 'block-device':
          // mknod needs CAP_MKNOD in the initial namespace; containers/storage skips these rootless too.
          skippedDevices++;
          return;
        default:
          return;
      }
    };
    handle()
      .then(() => {
        if (consumed) {
          next();
          return;
        }
        stream.on('end', () => next());
        stream.resume();
      })
      .catch((err: unknown) => {
        stream.resume();
        next(err instanceof Error ? err : new Error(String(err)));
      });
  });

  const { input, transforms } = await decompressor(source);
  await pipeline([input, compressed, ...transforms, counter, extract]);

  if (specials.length > 0) await runLayerTool(options.layerTool, specials);
  for (const [abs, meta] of specialMeta) applyMeta(abs, meta, false);
  const dirs = [...dirMeta.keys()].sort((a, b) => b.length - a.length);
  for (const rel of dirs) applyMeta(underRoot(root, rel), dirMeta.get(rel) as Meta, false);
  return { diffId: 'sha256:' + counter.hash.digest('hex'), size: counter.bytes, skippedDevices };
}

function lstatOrUndefined(abs: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(abs);
  } catch (err) {
    if (isNodeError(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Hardlink sources must sit under real directories of this layer, like any entry. */
async function ensureDirsExisting(root: string, relDir: string, entryName: string): Promise<void> {
  if (relDir === '') return;
  let cur = '';
  for (const part of relDir.split('/')) {
    cur = cur === '' ? part : `${cur}/${part}`;
    let st: fs.Stats;
    try {
      st = await fsp.lstat(path.join(root, cur));
    } catch {
      throw unsafe(entryName, `links to a path under ${JSON.stringify(cur)}, which is not in this layer`);
    }
    if (!st.isDirectory()) throw unsafe(entryName, `links through ${JSON.stringify(cur)}, which is not a directory`);
  }
}

function runLayerTool(tool: string, specials: Special[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new EngineError('E_RUNTIME_MISSING', `cannot run ${tool}: ${err.message}; run npm run build`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new EngineError('E_INTERNAL', `writing whiteouts failed: ${stderr.trim()}`));
    });
    const parts: string[] = [];
    for (const s of specials) {
      if (s.kind === 'f') parts.push('f', s.mode.toString(8), s.path);
      else parts.push(s.kind, s.path);
    }
    child.stdin.end(parts.map((p) => p + '\0').join(''));
  });
}
