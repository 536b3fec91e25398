import { z } from 'zod';

// Only the fields Cove relies on; everything else is kept as-is in the blobs.
const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be a sha256 digest');

export const descriptorSchema = z.object({
  mediaType: z.string().max(256).optional(),
  digest,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z
    .object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })
    .optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema).max(10_000),
});

export const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).max(1000),
});
export type Manifest = z.infer<typeof manifestSchema>;

export type { ImageConfig } from './image-config.js';

export const dockerManifestSchema = z
  .array(
    z.object({
      Config: z.string().min(1),
      RepoTags: z.array(z.string()).nullish(),
      Layers: z.array(z.string().min(1)).max(1000),
    }),
  )
  .min(1);

export { MEDIA_TYPES } from './media-types.js';
