import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { EngineError } from '../errors.js';
import { nativeBinary } from '../install-paths.js';
import type { IdMappings } from '../idmap.js';
import { usernsArgs } from '../userns.js';
import { unpackLayer } from '../unpack/unpack-layer.js';

/** Packs a host file or directory as a tar stream, symlinks stored as links (never followed). */
export function packHostPath(source: string, nameInArchive: string): tar.Pack {
  const pack = tar.pack();
  const add = async (abs: string, name: string): Promise<void> => {
    const st = await fsp.lstat(abs);
    const base = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
    if (st.isSymbolicLink()) {
      await new Promise<void>((res, rej) => pack.entry({ ...base, type: 'symlink', linkname: fs.readlinkSync(abs) }, (e) => (e ? rej(e) : res())));
    } else if (st.isDirectory()) {
      await new Promise<void>((res, rej) => pack.entry({ ...base, name: name + '/', type: 'directory' }, (e) => (e ? rej(e) : res())));
      for (const child of (await fsp.readdir(abs)).sort()) await add(path.join(abs, child), `${name}/${child}`);
    } else if (st.isFile()) {
      await new Promise<void>((res, rej) => {
        const entry = pack.entry({ ...base, size: st.size, type: 'file' }, (e) => (e ? rej(e) : res()));
        fs.createReadStream(abs).pipe(entry);
      });
    }
  };
  add(source, nameInArchive).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  return pack;
}

export type ExecPiped = (command: string[]) => Promise<ChildProcess>;

function waitExit(child: ChildProcess, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve() : reject(new EngineError('E_INVALID_ARGUMENT', `${what} failed: ${stderr.trim().split('\n').pop() ?? `exit ${code}`}`))));
    child.on('error', reject);
  });
}

/**
 * docker cp into a container. The tar is unpacked by a process inside the
 * container (its own root, its own mount namespace), so a symlink in the
 * container resolves inside the container and can never lead to the host.
 */
export async function copyIn(exec: ExecPiped, hostSource: string, containerDest: string): Promise<void> {
  if (!fs.existsSync(hostSource)) throw new EngineError('E_INVALID_ARGUMENT', `no such file or directory: ${hostSource}`);
  if (!path.posix.isAbsolute(containerDest)) throw new EngineError('E_INVALID_ARGUMENT', `the container path ${containerDest} must be absolute`);
  const probe = await exec(['test', '-d', containerDest]);
  const isDir = await new Promise<boolean>((resolve) => probe.on('close', (code) => resolve(code === 0)));
  const destDir = isDir || containerDest.endsWith('/') ? containerDest : path.posix.dirname(containerDest);
  const name = isDir || containerDest.endsWith('/') ? path.basename(hostSource) : path.posix.basename(containerDest);
  const child = await exec(['tar', '-x', '-f', '-', '-C', destDir]);
  const done = waitExit(child, `copying into ${containerDest} (the image needs tar)`);
  await pipeline(packHostPath(hostSource, name), child.stdin as NodeJS.WritableStream);
  await done;
}

/**
 * docker cp out of a container: the container's own tar produces the
 * stream and Cove's layer unpacker writes it, refusing any entry that
 * would leave the destination.
 */
export async function copyOut(exec: ExecPiped, containerSource: string, hostDest: string, layerTool: string): Promise<void> {
  if (!path.posix.isAbsolute(containerSource)) throw new EngineError('E_INVALID_ARGUMENT', `the container path ${containerSource} must be absolute`);
  const parent = path.posix.dirname(containerSource);
  const base = path.posix.basename(containerSource);
  const destIsDir = fs.existsSync(hostDest) && fs.statSync(hostDest).isDirectory();
  const finalPath = destIsDir ? path.join(hostDest, base) : hostDest;
  const staging = path.join(path.dirname(finalPath), `.cove-cp-${crypto.randomBytes(6).toString('hex')}`);
  await fsp.mkdir(staging, { mode: 0o700 });
  try {
    const child = await exec(['tar', '-c', '-f', '-', '-C', parent, base]);
    const done = waitExit(child, `copying ${containerSource} (the image needs tar)`);
    await unpackLayer(child.stdout as Readable, staging, { chown: false, layerTool, idLimit: Number.MAX_SAFE_INTEGER });
    await done;
    await fsp.rm(finalPath, { recursive: true, force: true });
    await fsp.rename(path.join(staging, base), finalPath);
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}

/** docker cp CONTAINER:SRC -: the container's own tar of SRC, streamed as it is made. */
export async function copyOutTar(exec: ExecPiped, containerSource: string, out: NodeJS.WritableStream): Promise<void> {
  if (!path.posix.isAbsolute(containerSource)) throw new EngineError('E_INVALID_ARGUMENT', `the container path ${containerSource} must be absolute`);
  const child = await exec(['tar', '-c', '-f', '-', '-C', path.posix.dirname(containerSource), path.posix.basename(containerSource)]);
  const done = waitExit(child, `copying ${containerSource} (the image needs tar)`);
  (child.stdout as Readable).pipe(out as NodeJS.WritableStream, { end: false });
  await done;
}

/**
 * docker cp - CONTAINER:DEST: a tar from the caller, extracted by the
 * container's own tar inside the container's namespaces, so no entry can
 * reach the host; DEST must be a directory, as docker requires.
 */
export async function copyInTar(exec: ExecPiped, archive: NodeJS.ReadableStream, containerDest: string): Promise<void> {
  if (!path.posix.isAbsolute(containerDest)) throw new EngineError('E_INVALID_ARGUMENT', `the container path ${containerDest} must be absolute`);
  const probe = await exec(['test', '-d', containerDest]);
  const isDir = await new Promise<boolean>((resolve) => probe.on('close', (code) => resolve(code === 0)));
  if (!isDir) throw new EngineError('E_INVALID_ARGUMENT', `destination "${containerDest}" must be a directory when the source is a tar stream (-)`);
  const child = await exec(['tar', '-x', '-f', '-', '-C', containerDest]);
  const done = waitExit(child, `extracting into ${containerDest} (the image needs tar)`);
  await pipeline(archive, child.stdin as NodeJS.WritableStream);
  await done;
}

export interface DiffEntry {
  kind: 'A' | 'C' | 'D';
  path: string;
}

/**
 * docker diff: the container's upper directory, read inside the user
 * namespace (its files belong to subordinate ids). Whiteouts (0/0 char
 * devices) are deletions; anything that also exists in a lower layer is a
 * change, the rest additions.
 */
export async function diffUpper(mappings: IdMappings, upper: string, lowerTopFirst: string[]): Promise<DiffEntry[]> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(nativeBinary('cove-unshare'), usernsArgs(mappings, ['find', upper, '-mindepth', '1', '-printf', '%y %P\\0'], { statusFd: false }), { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new EngineError('E_RUNTIME_FAILED', `reading the container's changes failed: ${err.trim()}`))));
  });
  const entries: DiffEntry[] = [];
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const type = rec[0];
    const rel = rec.slice(2);
    const inLower = lowerTopFirst.some((l) => fs.existsSync(path.join(l, rel)) || isSymlink(path.join(l, rel)));
    entries.push({ kind: type === 'c' ? 'D' : inLower ? 'C' : 'A', path: '/' + rel });
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * docker export: the merged filesystem as a tar on `out`. A read-only
 * overlay (upper as the top lower) is mounted in a private user+mount
 * namespace, so it works for running containers too.
 */
export async function exportFilesystem(mappings: IdMappings, scratch: string, upper: string, lowerTopFirst: string[], out: NodeJS.WritableStream): Promise<void> {
  const merged = path.join(scratch, `export-${crypto.randomBytes(6).toString('hex')}`);
  await fsp.mkdir(merged, { mode: 0o700 });
  const script = 'mount -t overlay overlay -o "lowerdir=$1,userxattr" "$2" && exec tar -c -f - -C "$2" --numeric-owner .';
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        nativeBinary('cove-unshare'),
        usernsArgs(mappings, ['sh', '-c', script, 'export', [upper, ...lowerTopFirst].join(':'), merged], { mountNs: true, statusFd: false }),
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.pipe(out, { end: false });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new EngineError('E_RUNTIME_FAILED', `export failed: ${err.trim()}`))));
    });
  } finally {
    await fsp.rm(merged, { recursive: true, force: true });
  }
}
