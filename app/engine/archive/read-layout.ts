import fsp from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { EngineError, isNodeError } from '../errors.js';
import { sha256Of } from '../digest.js';
import { sanitizeEntryName } from '../unpack/entry-path.js';
import { normalizeReference } from '../reference.js';
import { dockerManifestSchema, indexSchema, manifestSchema, MEDIA_TYPES, type Descriptor, type Manifest } from './image-schemas.js';

export interface ArchiveLayer {
  file: string;
  /** The digest the archive claims for this blob, checked while storing it. */
  expectedDigest: string | null;
}

export interface ArchiveImage {
  references: string[];
  configFile: string;
  expectedConfigDigest: string | null;
  layers: ArchiveLayer[];
  /** The manifest as found in an OCI layout (kept byte for byte), or null for docker-archive. */
  manifest: { file: string; digest: string } | null;
}

const METADATA_LIMIT = 4 * 1024 * 1024;

async function readJson<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (st.size > METADATA_LIMIT) throw new EngineError('E_MANIFEST_INVALID', `${what} is ${st.size} bytes; at most ${METADATA_LIMIT} are allowed`);
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (isNodeError(err, 'ENOENT')) throw new EngineError('E_ARCHIVE_INVALID', `the archive has no ${what}`);
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new EngineError('E_MANIFEST_INVALID', `${what} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EngineError('E_MANIFEST_INVALID', `${what} is malformed: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

function blobFile(dir: string, digest: string): string {
  return path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** A path named inside the archive, kept inside it. */
function archivePath(dir: string, name: string): string {
  const rel = sanitizeEntryName(name);
  if (rel === '') throw new EngineError('E_ARCHIVE_INVALID', `empty path in the archive's manifest`);
  return path.join(dir, rel);
}

function digestFromBlobPath(name: string): string | null {
  const m = /^(?:\.\/)?blobs\/sha256\/([a-f0-9]{64})$/.exec(name) ?? /^([a-f0-9]{64})\.json$/.exec(name);
  return m ? `sha256:${m[1]}` : null;
}

function hostPlatform(): { os: string; architecture: string } {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

function referencesOf(desc: Descriptor): string[] {
  const names = [desc.annotations?.['io.containerd.image.name'], desc.annotations?.['org.opencontainers.image.ref.name']];
  const out: string[] = [];
  for (const name of names) {
    // A bare tag ("latest") in ref.name has no repository to attach it to.
    if (!name || !/[/:]/.test(name)) continue;
    try {
      const ref = normalizeReference(name);
      if (!out.includes(ref)) out.push(ref);
    } catch {
      // An unparsable annotation is not a reason to refuse the image.
    }
  }
  return out;
}

async function readOciManifests(dir: string, desc: Descriptor, refs: string[], depth: number, out: ArchiveImage[]): Promise<void> {
  if (depth > 4) throw new EngineError('E_MANIFEST_INVALID', 'image indexes are nested too deeply');
  const mediaType = desc.mediaType ?? '';
  if (mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList) {
    const index = await readJson(blobFile(dir, desc.digest), indexSchema, `index ${desc.digest}`);
    const host = hostPlatform();
    const candidates = index.manifests.filter((m) => !m.platform || (m.platform.os === host.os && m.platform.architecture === host.architecture));
    const chosen = candidates[0];
    if (!chosen) throw new EngineError('E_IMAGE_NOT_FOUND', `the archive has no image for ${host.os}/${host.architecture}`);
    await readOciManifests(dir, chosen, refs, depth + 1, out);
    return;
  }
  const file = blobFile(dir, desc.digest);
  const manifest: Manifest = await readJson(file, manifestSchema, `manifest ${desc.digest}`);
  out.push({
    references: refs,
    configFile: blobFile(dir, manifest.config.digest),
    expectedConfigDigest: manifest.config.digest,
    layers: manifest.layers.map((l) => ({ file: blobFile(dir, l.digest), expectedDigest: l.digest })),
    manifest: { file, digest: desc.digest },
  });
}

/**
 * Lists the images in a staged docker-archive (manifest.json, `docker save`)
 * or OCI layout (index.json). docker-archive wins when both exist, as docker
 * 25+ writes both and its manifest.json carries the tags.
 */
export async function readLayout(dir: string): Promise<ArchiveImage[]> {
  const hasDocker = await fsp.access(path.join(dir, 'manifest.json')).then(() => true, () => false);
  if (hasDocker) {
    const entries = await readJson(path.join(dir, 'manifest.json'), dockerManifestSchema, 'manifest.json');
    return entries.map((entry) => ({
      references: (entry.RepoTags ?? []).map((tag) => normalizeReference(tag)),
      configFile: archivePath(dir, entry.Config),
      expectedConfigDigest: digestFromBlobPath(entry.Config),
      layers: entry.Layers.map((name) => ({ file: archivePath(dir, name), expectedDigest: digestFromBlobPath(name) })),
      manifest: null,
    }));
  }
  const hasOci = await fsp.access(path.join(dir, 'index.json')).then(() => true, () => false);
  if (!hasOci) throw new EngineError('E_ARCHIVE_INVALID', 'not an image archive: it has neither manifest.json (docker-archive) nor index.json (OCI layout)');
  const index = await readJson(path.join(dir, 'index.json'), indexSchema, 'index.json');
  if (index.manifests.length === 0) throw new EngineError('E_ARCHIVE_INVALID', 'index.json lists no images');
  const out: ArchiveImage[] = [];
  for (const desc of index.manifests) await readOciManifests(dir, desc, referencesOf(desc), 0, out);
  return out;
}

/** For tests and for docker-archive: the digest an in-memory manifest gets. */
export function manifestDigest(bytes: Uint8Array): string {
  return sha256Of(bytes);
}
