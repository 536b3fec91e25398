import type { z } from 'zod';
import { EngineError } from '../errors.js';
import { indexSchema, manifestSchema, MEDIA_TYPES, type Descriptor, type Manifest } from '../archive/image-schemas.js';

// containers/image's maxManifestBodySize: a manifest larger than this is not a manifest.
export const MANIFEST_LIMIT = 4 * 1024 * 1024;
export const CONFIG_LIMIT = 8 * 1024 * 1024;

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
  // Asked for last so an old image is answered as schema1 and refused clearly, not reported missing.
  'application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.1',
  'application/vnd.docker.distribution.manifest.v1+json;q=0.1',
].join(', ');

const SCHEMA1 = ['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws'];

export const LAYER_TYPES = new Set([
  MEDIA_TYPES.ociLayer,
  MEDIA_TYPES.ociLayerGzip,
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

const CONFIG_TYPES = new Set([MEDIA_TYPES.ociConfig, 'application/vnd.docker.container.image.v1+json']);

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; manifest: Manifest };

function parseWith<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EngineError('E_MANIFEST_INVALID', `${what} is malformed: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/**
 * Classifies and validates a manifest body (OCI image-spec manifest.md and
 * image-index.md, Docker Image Manifest V2 Schema 2). Schema 1 was
 * deprecated in 2017 and is refused with a clear code instead of guessed at.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined, what: string): ParsedManifest {
  const declared = (contentType ?? '').split(';')[0]?.trim() ?? '';
  if (SCHEMA1.includes(declared)) throw schema1(what);
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new EngineError('E_MANIFEST_INVALID', `${what} is not valid JSON: ${(err as Error).message}`);
  }
  const obj = (typeof data === 'object' && data !== null ? data : {}) as { schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown; layers?: unknown };
  if (obj.schemaVersion === 1) throw schema1(what);
  const mediaType = typeof obj.mediaType === 'string' && obj.mediaType ? obj.mediaType : declared;
  const isIndex = mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList || (!mediaType && Array.isArray(obj.manifests));
  if (isIndex) return { kind: 'index', mediaType: mediaType || MEDIA_TYPES.ociIndex, manifests: parseWith(indexSchema, data, what).manifests };
  if (mediaType && mediaType !== MEDIA_TYPES.ociManifest && mediaType !== MEDIA_TYPES.dockerManifest) {
    throw new EngineError('E_MANIFEST_UNSUPPORTED', `${what} has media type ${mediaType}, which is not a container image Cove can pull`);
  }
  const manifest = parseWith(manifestSchema, data, what);
  const configType = manifest.config.mediaType ?? MEDIA_TYPES.ociConfig;
  if (!CONFIG_TYPES.has(configType)) {
    throw new EngineError('E_MANIFEST_UNSUPPORTED', `${what} is an artifact (config type ${configType}), not a container image`);
  }
  for (const layer of manifest.layers) {
    const t = layer.mediaType ?? MEDIA_TYPES.ociLayerGzip;
    if (!LAYER_TYPES.has(t)) throw new EngineError('E_MANIFEST_UNSUPPORTED', `${what} has a layer of type ${t}, which Cove cannot unpack`);
  }
  return { kind: 'image', mediaType: mediaType || MEDIA_TYPES.ociManifest, manifest };
}

function schema1(what: string): EngineError {
  return new EngineError(
    'E_MANIFEST_UNSUPPORTED',
    `${what} uses Docker's image manifest schema 1, deprecated since 2017 and not supported; ask the publisher to push it again with a current tool (docker push, podman push)`,
  );
}
