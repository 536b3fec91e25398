import path from 'node:path';
import { EngineError } from '../errors.js';

/**
 * Turns a tar entry name into a path relative to the layer root, refusing
 * any `..` component instead of resolving it: a layer that names a parent
 * directory is hostile or broken (CVE-2018-15664 and the many "zip slip"
 * bugs come from resolving such names). Leading `/` and `./` are dropped,
 * as docker's pkg/archive does.
 */
export function sanitizeEntryName(name: string): string {
  if (name.includes('\0')) throw unsafe(name, 'contains a NUL byte');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw unsafe(name, 'contains a ".." component');
    parts.push(part);
  }
  return parts.join('/');
}

export function unsafe(name: string, why: string): EngineError {
  return new EngineError('E_LAYER_UNSAFE', `refused layer entry ${JSON.stringify(name)}: it ${why}`);
}

/** Joins a sanitized relative path to the root (never escapes: no `..` survives sanitizing). */
export function underRoot(root: string, rel: string): string {
  return rel === '' ? root : path.join(root, rel);
}
