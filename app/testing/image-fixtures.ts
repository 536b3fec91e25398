// Builds test images from files on this machine (Debian's busybox-static),
// packed as an OCI archive and as a docker-archive: no download at test time.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import tar from 'tar-stream';
import { sha256Of } from '../engine/digest.js';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string | Buffer;
  linkname?: string;
}

/** Parallel test files may build the same fixture: each writes its own temp file and renames. */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(temp, data);
  await fsp.rename(temp, file);
}

export async function packTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: new Date(1_700_000_000_000),
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const callback = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') {
        const body = Buffer.from(e.content ?? '');
        pack.entry({ ...header, size: body.length }, body, callback);
      } else {
        pack.entry(header, callback);
      }
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The busybox-static binary and a symlink per applet, plus the usual skeleton. */
export async function busyboxRootfsEntries(busybox = '/bin/busybox'): Promise<TarEntry[]> {
  const bin = await fsp.readFile(busybox);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[a-z0-9_.[-]+$/.test(s) && s !== 'busybox');
  const entries: TarEntry[] = [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', content: bin, mode: 0o755 },
    ...applets.map((a): TarEntry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\nuser:x:1000:1000:user:/home/user:/bin/sh\n' },
    { name: 'etc/group', content: 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\nuser:x:1000:\n' },
    { name: 'root/', type: 'directory', mode: 0o700 },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'home/', type: 'directory' },
    { name: 'home/user/', type: 'directory', uid: 1000, gid: 1000 },
    { name: 'proc/', type: 'directory' },
    { name: 'dev/', type: 'directory' },
    { name: 'sys/', type: 'directory' },
    { name: 'var/', type: 'directory' },
  ];
  return entries;
}

export interface ImageSpec {
  /** Layers, bottom first. */
  layers: TarEntry[][];
  references: string[];
  cmd?: string[];
  env?: string[];
  /** The image's VOLUME entries. */
  volumes?: string[];
  gzip?: boolean;
}

interface BuiltBlob {
  digest: string;
  size: number;
  data: Buffer;
}

function blob(data: Buffer): BuiltBlob {
  return { digest: sha256Of(data), size: data.length, data };
}

async function buildBlobs(spec: ImageSpec) {
  const layers: Array<{ tar: Buffer; stored: BuiltBlob }> = [];
  for (const entries of spec.layers) {
    const raw = await packTar(entries);
    layers.push({ tar: raw, stored: blob(spec.gzip ? zlib.gzipSync(raw) : raw) });
  }
  const config = blob(
    Buffer.from(
      JSON.stringify({
        created: '2026-01-01T00:00:00Z',
        architecture: 'amd64',
        os: 'linux',
        config: {
          Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          Cmd: spec.cmd ?? ['sh'],
          ...(spec.volumes ? { Volumes: Object.fromEntries(spec.volumes.map((v) => [v, {}])) } : {}),
        },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256Of(l.tar)) },
        history: layers.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'cove test fixture' })),
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
        layers: layers.map((l) => ({
          mediaType: spec.gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
          digest: l.stored.digest,
          size: l.stored.size,
        })),
      }),
    ),
  );
  return { layers, config, manifest };
}

/** An oci-archive: oci-layout, index.json and blobs/sha256/*, as `skopeo copy oci-archive:` writes. */
export async function writeOciArchive(file: string, spec: ImageSpec): Promise<void> {
  const b = await buildBlobs(spec);
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: spec.references.map((ref) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: b.manifest.digest,
      size: b.manifest.size,
      annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref.split(':').pop() ?? 'latest' },
    })),
  };
  const blobs = [b.config, b.manifest, ...b.layers.map((l) => l.stored)];
  const entries: TarEntry[] = [
    { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', content: JSON.stringify(index) },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...blobs.map((x): TarEntry => ({ name: `blobs/sha256/${x.digest.slice(7)}`, content: x.data })),
  ];
  await writeAtomically(file, await packTar(entries));
}

/** A docker-archive as `docker save` (before 25) writes it: <id>/layer.tar, <config>.json, manifest.json. */
export async function writeDockerArchive(file: string, spec: ImageSpec): Promise<void> {
  const b = await buildBlobs(spec);
  const layerDirs = b.layers.map((l) => sha256Of(l.tar).slice(7));
  const manifest = [{ Config: `${b.config.digest.slice(7)}.json`, RepoTags: spec.references, Layers: layerDirs.map((d) => `${d}/layer.tar`) }];
  const entries: TarEntry[] = [
    ...b.layers.flatMap((l, i): TarEntry[] => (layerDirs.indexOf(layerDirs[i] as string) !== i ? [] : [
      { name: `${layerDirs[i]}/`, type: 'directory' },
      { name: `${layerDirs[i]}/VERSION`, content: '1.0' },
      { name: `${layerDirs[i]}/layer.tar`, content: l.tar },
    ])),
    { name: `${b.config.digest.slice(7)}.json`, content: b.config.data },
    { name: 'manifest.json', content: JSON.stringify(manifest) },
  ];
  await writeAtomically(file, await packTar(entries));
}

/** The standard fixtures, built once into `dir`. */
export async function buildStandardFixtures(dir: string): Promise<{ busyboxOci: string; busyboxDocker: string; layered: string }> {
  await fsp.mkdir(dir, { recursive: true });
  const base = await busyboxRootfsEntries();
  const busyboxOci = path.join(dir, 'busybox-oci.tar');
  const busyboxDocker = path.join(dir, 'busybox.tar');
  const layered = path.join(dir, 'layered-oci.tar');
  if (!fs.existsSync(busyboxOci)) await writeOciArchive(busyboxOci, { layers: [base], references: ['docker.io/library/busybox:latest'], gzip: true });
  if (!fs.existsSync(busyboxDocker)) await writeDockerArchive(busyboxDocker, { layers: [base], references: ['busybox:latest'] });
  if (!fs.existsSync(layered)) {
    await writeOciArchive(layered, {
      references: ['localhost/layered:1'],
      gzip: true,
      layers: [
        [
          ...base,
          { name: 'data/', type: 'directory' },
          { name: 'data/keep.txt', content: 'keep\n' },
          { name: 'data/gone.txt', content: 'gone\n' },
          { name: 'opaque/', type: 'directory' },
          { name: 'opaque/old.txt', content: 'old\n' },
        ],
        [
          { name: 'data/.wh.gone.txt' },
          { name: 'opaque/.wh..wh..opq' },
          { name: 'opaque/new.txt', content: 'new\n' },
          { name: 'data/owned.txt', content: 'owned\n', uid: 1000, gid: 1000 },
          { name: 'data/hard.txt', type: 'link', linkname: 'data/owned.txt' },
          { name: 'data/link', type: 'symlink', linkname: '/data/keep.txt' },
          { name: 'data/setuid', content: '#!/bin/sh\n', mode: 0o4755 },
        ],
      ],
    });
  }
  return { busyboxOci, busyboxDocker, layered };
}
