// Images for the registry tests, built from tar entries in memory and
// uploaded with plain HTTP requests (monolithic POST+PUT, distribution spec
// "Pushing a blob monolithically"), so pull tests never depend on Cove's push.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { sha256Of } from '../engine/digest.js';
import { packTar, type TarEntry } from './image-fixtures.js';
import type { TestRegistry } from './registry-server.js';

export interface Blob {
  digest: string;
  size: number;
  data: Buffer;
  mediaType: string;
}

export interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
  diffIds: string[];
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface BuildOptions {
  layers: TarEntry[][];
  compression?: Compression;
  format?: 'oci' | 'docker';
  architecture?: string;
  os?: string;
  variant?: string;
  cmd?: string[];
  /** Something to make the config unique (e.g. per test). */
  label?: string;
}

function blob(data: Buffer, mediaType: string): Blob {
  return { digest: sha256Of(data), size: data.length, data, mediaType };
}

export function compress(raw: Buffer, how: Compression): Buffer {
  if (how === 'gzip') return zlib.gzipSync(raw, { level: 1 });
  if (how === 'zstd') return execFileSync('zstd', ['-q', '-c', '-3'], { input: raw, maxBuffer: 1 << 30 });
  return raw;
}

function layerMediaType(format: 'oci' | 'docker', how: Compression): string {
  if (format === 'docker') return how === 'none' ? 'application/vnd.docker.image.rootfs.diff.tar' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  return how === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : how === 'zstd' ? 'application/vnd.oci.image.layer.v1.tar+zstd' : 'application/vnd.oci.image.layer.v1.tar';
}

export async function buildImage(o: BuildOptions): Promise<BuiltImage> {
  const format = o.format ?? 'oci';
  const how = o.compression ?? 'gzip';
  const raws = await Promise.all(o.layers.map((entries) => packTar(entries)));
  const layers = raws.map((raw) => blob(compress(raw, how), layerMediaType(format, how)));
  const diffIds = raws.map((raw) => sha256Of(raw));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        created: '2026-02-01T00:00:00Z',
        architecture: o.architecture ?? 'amd64',
        os: o.os ?? 'linux',
        ...(o.variant ? { variant: o.variant } : {}),
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: o.cmd ?? ['sh'], Labels: o.label ? { 'cove.test': o.label } : {} },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: raws.map((_, i) => ({ created: '2026-02-01T00:00:00Z', created_by: `layer ${i + 1}` })),
      }),
    ),
    format === 'docker' ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
  );
  const manifestType = format === 'docker' ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: manifestType,
        config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      }),
    ),
    manifestType,
  );
  return { manifest, config, layers, diffIds };
}

export function buildIndex(entries: Array<{ image: BuiltImage; platform: { os: string; architecture: string; variant?: string } }>, format: 'oci' | 'docker' = 'oci'): Blob {
  const mediaType = format === 'docker' ? 'application/vnd.docker.distribution.manifest.list.v2+json' : 'application/vnd.oci.image.index.v1+json';
  return blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType,
        manifests: entries.map((e) => ({ mediaType: e.image.manifest.mediaType, digest: e.image.manifest.digest, size: e.image.manifest.size, platform: e.platform })),
      }),
    ),
    mediaType,
  );
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request to the test registry (CA-aware), body buffered. */
export function rawRequest(reg: Pick<TestRegistry, 'url' | 'ca'>, method: string, urlPath: string, headers: Record<string, string> = {}, body?: Buffer): Promise<RawResponse> {
  const url = new URL(urlPath, reg.url);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, ...(reg.ca ? { ca: fs.readFileSync(reg.ca.caCert) } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Authorization for a test registry: basic, or a token from its token server. */
async function authHeader(reg: TestRegistry, repo: string, creds?: { user: string; password: string }): Promise<Record<string, string>> {
  if (!creds) return {};
  const basic = 'Basic ' + Buffer.from(`${creds.user}:${creds.password}`).toString('base64');
  if (!reg.token) return { authorization: basic };
  const url = new URL(reg.token.realm);
  url.searchParams.set('service', reg.token.service);
  url.searchParams.set('scope', `repository:${repo}:pull,push`);
  const res = await rawRequest({ url: url.origin, ca: null }, 'GET', url.pathname + url.search, { authorization: basic });
  const token = (JSON.parse(res.body.toString('utf8')) as { token: string }).token;
  return { authorization: `Bearer ${token}` };
}

async function uploadBlob(reg: TestRegistry, repo: string, b: Pick<Blob, 'digest' | 'data'>, auth: Record<string, string>): Promise<void> {
  const head = await rawRequest(reg, 'HEAD', `/v2/${repo}/blobs/${b.digest}`, auth);
  if (head.status === 200) return;
  const start = await rawRequest(reg, 'POST', `/v2/${repo}/blobs/uploads/`, auth, Buffer.alloc(0));
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${start.body.toString()}`);
  const location = new URL(String(start.headers.location), reg.url);
  location.searchParams.set('digest', b.digest);
  const put = await rawRequest(reg, 'PUT', location.pathname + location.search, { ...auth, 'content-type': 'application/octet-stream' }, b.data);
  if (put.status !== 201) throw new Error(`upload ${b.digest}: ${put.status} ${put.body.toString()}`);
}

export async function putManifest(reg: TestRegistry, repo: string, ref: string, m: Blob, creds?: { user: string; password: string }): Promise<void> {
  const auth = await authHeader(reg, repo, creds);
  const res = await rawRequest(reg, 'PUT', `/v2/${repo}/manifests/${ref}`, { ...auth, 'content-type': m.mediaType }, m.data);
  if (res.status !== 201) throw new Error(`manifest ${repo}:${ref}: ${res.status} ${res.body.toString()}`);
}

/** Uploads an image's blobs and its manifest (tagged `tag`, or by digest when tag is null). */
export async function uploadImage(reg: TestRegistry, repo: string, tag: string | null, image: BuiltImage, creds?: { user: string; password: string }): Promise<void> {
  const auth = await authHeader(reg, repo, creds);
  for (const b of [image.config, ...image.layers]) await uploadBlob(reg, repo, b, auth);
  await putManifest(reg, repo, tag ?? image.manifest.digest, image.manifest, creds);
}

/** Uploads each platform image by digest, then the index under `tag`. */
export async function uploadIndex(reg: TestRegistry, repo: string, tag: string, images: BuiltImage[], index: Blob, creds?: { user: string; password: string }): Promise<void> {
  for (const img of images) await uploadImage(reg, repo, null, img, creds);
  await putManifest(reg, repo, tag, index, creds);
}
