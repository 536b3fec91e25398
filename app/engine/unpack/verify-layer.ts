import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { sanitizeEntryName } from './entry-path.js';
import { DEFAULT_LAYER_LIMITS } from './layer-limits.js';
import { hashSparse, sparseInfo, type SparseInfo } from './sparse.js';
import { decompressor } from './decompress.js';

export interface VerifyResult {
  diffId: string;
  size: number;
  entries: number;
  /** What differs between the unpacked layer and its blob; empty when they agree. */
  problems: string[];
}

type Expect =
  | { kind: 'dir'; mode: number | null; uid: number; gid: number }
  | { kind: 'file'; mode: number; uid: number; gid: number; size: number; sha256: string }
  | { kind: 'symlink'; target: string; uid: number; gid: number }
  | { kind: 'fifo'; mode: number }
  | { kind: 'whiteout' };

const MAX_PROBLEMS = 20;

/**
 * Replays a layer tar the way unpackLayer applies it (later entries win,
 * whiteouts remove, hardlinks share content) and compares the result with
 * the unpacked directory: types, sizes, contents, modes, owners and link
 * targets, plus anything on disk the tar does not explain. This is how
 * `cove system check` proves a layer is intact (containers/storage checks
 * layers against their tar-split the same way).
 */
export async function verifyLayer(source: Readable, root: string, options: { chown: boolean }): Promise<VerifyResult> {
  const expected = new Map<string, Expect>();
  const problems: string[] = [];
  const problem = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const dropTree = (rel: string): void => {
    for (const k of [...expected.keys()]) if (k === rel || k.startsWith(rel + '/')) expected.delete(k);
  };
  const ensureParents = (rel: string): void => {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (expected.get(dir)?.kind !== 'dir') {
        dropTree(dir);
        expected.set(dir, { kind: 'dir', mode: null, uid: 0, gid: 0 });
      }
    }
  };
  let hash = crypto.createHash('sha256');
  let size = 0;
  let entries = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    entries++;
    let rel: string;
    let sparse: SparseInfo | null;
    try {
      sparse = sparseInfo(header.name, header.type ?? null, header.pax as Record<string, string> | null | undefined);
      rel = sanitizeEntryName(sparse?.name ?? header.name);
    } catch {
      problem(`the blob has an unsafe entry ${JSON.stringify(header.name)}; this layer should never have been unpacked`);
      stream.resume();
      stream.on('end', () => next());
      return;
    }
    const uid = header.uid ?? 0;
    const gid = header.gid ?? 0;
    const mode = (header.mode ?? 0o644) & 0o7777;
    const finish = (): void => next();
    if (rel === '') {
      stream.resume();
      stream.on('end', finish);
      return;
    }
    ensureParents(rel);
    const base = path.posix.basename(rel);
    const parent = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    if (base === '.wh..wh..opq') {
      stream.resume();
      stream.on('end', finish);
      return;
    }
    if (base.startsWith('.wh.')) {
      const hidden = parent === '' ? base.slice(4) : `${parent}/${base.slice(4)}`;
      dropTree(hidden);
      expected.set(hidden, { kind: 'whiteout' });
      stream.resume();
      stream.on('end', finish);
      return;
    }
    switch (header.type) {
      case 'directory': {
        const cur = expected.get(rel);
        if (cur?.kind !== 'dir') dropTree(rel);
        expected.set(rel, { kind: 'dir', mode, uid, gid });
        break;
      }
      case 'file':
      case 'contiguous-file': {
        dropTree(rel);
        const h = crypto.createHash('sha256');
        if (sparse) {
          const info = sparse;
          hashSparse(stream as unknown as Readable, info, DEFAULT_LAYER_LIMITS.maxBytes, h).then(
            () => {
              expected.set(rel, { kind: 'file', mode, uid, gid, size: info.realSize, sha256: h.digest('hex') });
              next();
            },
            (err: unknown) => {
              problem(`${rel}: ${(err as Error).message}`);
              next();
            },
          );
          return;
        }
        let n = 0;
        stream.on('data', (c: unknown) => {
          const b = c as Buffer;
          h.update(b);
          n += b.length;
        });
        stream.on('end', () => {
          expected.set(rel, { kind: 'file', mode, uid, gid, size: n, sha256: h.digest('hex') });
          next();
        });
        return;
      }
      case 'symlink':
        dropTree(rel);
        expected.set(rel, { kind: 'symlink', target: header.linkname ?? '', uid, gid });
        break;
      case 'link': {
        const target = expected.get(sanitizeEntryName(header.linkname ?? ''));
        if (sanitizeEntryName(header.linkname ?? '') !== rel) {
          dropTree(rel);
          if (target) expected.set(rel, target);
        }
        break;
      }
      case 'fifo':
        dropTree(rel);
        expected.set(rel, { kind: 'fifo', mode });
        break;
      default:
        // Devices are skipped rootless; unknown types are ignored by the unpacker too.
        break;
    }
    stream.resume();
    stream.on('end', finish);
  });
  const { input, transforms } = await decompressor(source);
  await pipeline([input, ...transforms, counter, extract]);
  const diffId = 'sha256:' + hash.digest('hex');
  hash = crypto.createHash('sha256');

  for (const [rel, want] of expected) {
    const abs = path.join(root, rel);
    let st: fs.Stats;
    try {
      st = await fsp.lstat(abs);
    } catch {
      problem(`${rel}: missing`);
      continue;
    }
    const owner = (uid: number, gid: number): void => {
      if (options.chown && (st.uid !== uid || st.gid !== gid)) problem(`${rel}: owned by ${st.uid}:${st.gid}, expected ${uid}:${gid}`);
    };
    switch (want.kind) {
      case 'dir':
        if (!st.isDirectory()) problem(`${rel}: not a directory`);
        else if (want.mode !== null && (st.mode & 0o7777) !== want.mode) problem(`${rel}: mode ${(st.mode & 0o7777).toString(8)}, expected ${want.mode.toString(8)}`);
        if (want.mode !== null) owner(want.uid, want.gid);
        break;
      case 'file': {
        if (!st.isFile()) {
          problem(`${rel}: not a regular file`);
          break;
        }
        if (st.size !== want.size) {
          problem(`${rel}: ${st.size} bytes, expected ${want.size}`);
          break;
        }
        if ((st.mode & 0o7777) !== want.mode) problem(`${rel}: mode ${(st.mode & 0o7777).toString(8)}, expected ${want.mode.toString(8)}`);
        owner(want.uid, want.gid);
        const h = crypto.createHash('sha256');
        try {
          await pipeline(fs.createReadStream(abs), new Writable({ write: (c: Buffer, _e, cb) => (h.update(c), cb()) }));
          if (h.digest('hex') !== want.sha256) problem(`${rel}: content differs from the layer`);
        } catch (err) {
          problem(`${rel}: unreadable (${(err as Error).message})`);
        }
        break;
      }
      case 'symlink':
        if (!st.isSymbolicLink()) problem(`${rel}: not a symlink`);
        else if ((await fsp.readlink(abs)) !== want.target) problem(`${rel}: points elsewhere than the layer says`);
        break;
      case 'fifo':
        if (!st.isFIFO()) problem(`${rel}: not a FIFO`);
        break;
      case 'whiteout':
        if (!st.isCharacterDevice() || st.rdev !== 0) problem(`${rel}: whiteout missing`);
        break;
    }
  }
  // Anything on disk the tar does not explain was added after unpacking.
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      const want = expected.get(rel);
      if (!want) {
        problem(`${rel}: on disk but not in the layer`);
        continue;
      }
      if (want.kind === 'dir') await walk(path.join(dir, name), rel);
    }
  };
  await walk(root, '');
  return { diffId, size, entries, problems };
}
