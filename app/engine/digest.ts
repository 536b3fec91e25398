import crypto from 'node:crypto';
import { EngineError } from './errors.js';

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Validates a digest taken from untrusted input before it becomes a path. */
export function assertDigest(value: unknown, what: string): string {
  if (!isDigest(value)) {
    throw new EngineError('E_MANIFEST_INVALID', `${what} is not a sha256 digest: ${JSON.stringify(value)}`);
  }
  return value;
}

export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length);
}

export function sha256Of(data: string | Uint8Array): string {
  return 'sha256:' + crypto.createHash('sha256').update(data).digest('hex');
}

/** chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)) (OCI image-spec config.md). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diffId : sha256Of(`${prev} ${diffId}`));
  }
  return out;
}

export function shortId(digestOrId: string): string {
  return digestOrId.replace(/^sha256:/, '').slice(0, 12);
}
