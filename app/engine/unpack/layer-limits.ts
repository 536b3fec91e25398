import { Transform, type TransformCallback } from 'node:stream';
import { EngineError } from '../errors.js';

/**
 * Caps on what one layer may unpack to. A few kilobytes of gzip can inflate
 * to gigabytes (about 1000:1 for zeros; zstd goes far beyond), so both the
 * total and the ratio are bounded; the ratio only once the layer is big
 * enough to matter, since small text-heavy layers compress well.
 */
export interface LayerLimits {
  /** Largest uncompressed tar, and largest apparent size of a sparse file. */
  maxBytes: number;
  /** Largest uncompressed/compressed ratio once past ratioFloor bytes. */
  maxRatio: number;
  ratioFloor: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  maxBytes: 32 * 1024 ** 3,
  maxRatio: 100,
  ratioFloor: 256 * 1024 ** 2,
};

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new EngineError('E_INVALID_ARGUMENT', `${name}=${text} is not a positive whole number`);
  return n;
}

/** COVE_MAX_LAYER_BYTES and COVE_MAX_LAYER_RATIO override the defaults. */
export function layerLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): LayerLimits {
  return {
    maxBytes: positive(env, 'COVE_MAX_LAYER_BYTES', DEFAULT_LAYER_LIMITS.maxBytes),
    maxRatio: positive(env, 'COVE_MAX_LAYER_RATIO', DEFAULT_LAYER_LIMITS.maxRatio),
    ratioFloor: DEFAULT_LAYER_LIMITS.ratioFloor,
  };
}

export function tooLarge(what: string): EngineError {
  return new EngineError('E_LAYER_TOO_LARGE', `${what}; the layer was discarded (raise COVE_MAX_LAYER_BYTES or COVE_MAX_LAYER_RATIO only for an image you trust)`);
}

/** Counts the compressed bytes that enter the decompressor. */
export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * Throws once `uncompressed` bytes break a cap. The compressed count runs
 * ahead of what the decompressor has turned into output (it buffers), so
 * the ratio seen here is never more than the true one.
 */
export function checkLayerSize(uncompressed: number, compressed: number, limits: LayerLimits): void {
  if (uncompressed > limits.maxBytes) throw tooLarge(`the layer unpacks to more than ${limits.maxBytes} bytes`);
  if (compressed > 0 && uncompressed > limits.ratioFloor && uncompressed / compressed > limits.maxRatio) {
    throw tooLarge(`the layer inflates more than ${limits.maxRatio}:1 (${uncompressed} bytes from ${compressed}): a decompression bomb`);
  }
}
