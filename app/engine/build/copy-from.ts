// COPY --from=stage|image: the source stage's layers are mounted read-only
// (overlayfs) in a private user+mount namespace, GNU tar reads the matched
// paths there (the shell expands globs inside that filesystem, so a symlink
// never leads to the host), and the entries are renamed to the destination.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { batchedChunks, putEntry, type TarHeader } from './layer-writer.js';
import { EngineError } from '../errors.js';
import type { IdMappings } from '../idmap.js';
import type { DirMeta } from './copy-plan.js';
import { spawnInUserns } from '../userns.js';

export interface CopyFromRequest {
  mappings: IdMappings;
  scratch: string;
  lowerTopFirst: string[];
  sources: string[];
  dest: string;
  owner: { uid: number; gid: number } | null;
  chmod: number | null;
  lowerKind(rel: string): 'dir' | 'other' | null;
  lowerDir(rel: string): DirMeta | null;
  what: string;
}

const SCRIPT = [
  'set -e',
  'mount -t overlay overlay -o "lowerdir=$1,userxattr" "$2"',
  'cd "$2"',
  'shift 2',
  // IFS empty: a pattern is globbed but never split on spaces.
  "IFS=''",
  'n=$#',
  'for p in "$@"; do set -- "$@" $p; done',
  'shift $n',
  'exec tar -c -f - --numeric-owner --xattrs --xattrs-include=security.capability -- "$@"',
].join('\n');

/** The layer tar of a COPY --from, streamed. */
export async function copyFromLayers(req: CopyFromRequest): Promise<Readable> {
  const merged = path.join(req.scratch, 'from');
  const empty = path.join(req.scratch, 'from-empty');
  await fsp.mkdir(merged, { recursive: true, mode: 0o700 });
  await fsp.mkdir(empty, { recursive: true, mode: 0o755 });
  // A read-only overlay needs two lower directories at least.
  const lowers = [...req.lowerTopFirst, empty].join(':');
  const patterns = req.sources.map((s) => './' + path.posix.normalize('/' + s).replace(/^\/+/, '').replace(/\/$/, ''));
  const depth = (p: string): number => p.split('/').length;
  const u = spawnInUserns(req.mappings, ['sh', '-c', SCRIPT, 'copy-from', lowers, merged, ...patterns], { mountNs: true });
  const destName = path.posix.normalize(req.dest).replace(/^\/+/, '').replace(/\/$/, '').replace(/^\.$/, '');
  const globbed = req.sources.length > 1 || req.sources.some((s) => /[*?[]/.test(s));
  const intoDir = req.dest.endsWith('/') || destName === '' || req.lowerKind(destName) === 'dir';
  if (globbed && !intoDir) throw new EngineError('E_BUILD_FAILED', `with more than one source file the destination must be a directory and end with a /: ${req.dest}`);
  const rootKinds = new Map<string, string>();
  const made = new Set<string>();
  const pack = tar.pack();
  const out = batchedChunks();
  pack.pipe(out);
  const put = (h: TarHeader, body?: Buffer): Promise<void> => putEntry(pack, h, body);
  const ensureParents = async (name: string): Promise<void> => {
    const parts = name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (made.has(p)) continue;
      made.add(p);
      const meta = req.lowerKind(p) === 'dir' ? req.lowerDir(p) : null;
      if (meta) await put({ name: `${p}/`, type: 'directory', ...meta });
      else if (req.lowerKind(p) !== 'dir') await put({ name: `${p}/`, type: 'directory', mode: 0o755, uid: req.owner?.uid ?? 0, gid: req.owner?.gid ?? 0, mtime: new Date() });
    }
  };
  const mapName = (entry: string): string | null => {
    const clean = entry.replace(/^\.\//, './').replace(/\/$/, '');
    const pattern = patterns.find((p) => depth(p) <= depth(clean)) ?? patterns[0];
    const rootDepth = depth(pattern as string);
    const root = clean.split('/').slice(0, rootDepth).join('/');
    const rest = clean.split('/').slice(rootDepth).join('/');
    const kind = rootKinds.get(root);
    if (kind === 'directory') return [destName, rest].filter(Boolean).join('/');
    if (rest !== '') return null;
    return intoDir ? [destName, path.posix.basename(root)].filter(Boolean).join('/') : destName;
  };
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      const work = async (): Promise<void> => {
        const clean = ('./' + h.name.replace(/^\.?\//, '')).replace(/\/$/, '');
        const rootDepth = depth(patterns.find((p) => depth(p) <= depth(clean)) ?? (patterns[0] as string));
        if (depth(clean) === rootDepth) rootKinds.set(clean, h.type ?? 'file');
        const name = mapName(clean);
        if (name === null) return;
        const base = { mode: req.chmod ?? h.mode ?? 0o644, uid: req.owner?.uid ?? h.uid ?? 0, gid: req.owner?.gid ?? h.gid ?? 0, mtime: h.mtime ?? new Date(), ...(h.pax && Object.keys(h.pax).some((k) => k.startsWith('SCHILY.xattr.')) ? { pax: Object.fromEntries(Object.entries(h.pax).filter(([k]) => k.startsWith('SCHILY.xattr.'))) } : {}) };
        if (name !== '') await ensureParents(name);
        if (h.type === 'directory') {
          if (name === '' || made.has(name)) return;
          made.add(name);
          if (name === destName && req.lowerKind(name) === 'dir') return;
          await put({ ...base, name: `${name}/`, type: 'directory' });
        } else if (h.type === 'file') await put({ ...base, name, type: 'file' }, Buffer.concat(chunks));
        else if (h.type === 'symlink') await put({ ...base, name, type: 'symlink', linkname: h.linkname ?? '' });
        else if (h.type === 'link') {
          const target = mapName(('./' + (h.linkname ?? '').replace(/^\.?\//, '')).replace(/\/$/, ''));
          if (target) await put({ ...base, name, type: 'link', linkname: target });
        }
      };
      work().then(() => next(), (err: Error) => out.destroy(err));
    });
  });
  const exited = new Promise<number | null>((resolve) => u.child.on('close', (code) => resolve(code)));
  extract.on('finish', () => {
    void exited.then((code) => {
      if (code !== 0) {
        const why = u.stderr().trim().split('\n').filter((l) => /Cannot stat|No such file/.test(l)).map((l) => l.replace(/^tar: \.?\/?/, '').replace(/: Cannot stat.*$/, ''));
        out.destroy(new EngineError('E_BUILD_FAILED', why.length ? `COPY --from=${req.what}: ${why.map((w) => `/${w}`).join(', ')} not found` : `COPY --from=${req.what} failed: ${u.stderr().trim().slice(-400)}`));
      } else pack.finalize();
    });
  });
  extract.on('error', (err) => out.destroy(err));
  u.child.stdout?.pipe(extract);
  return out;
}
