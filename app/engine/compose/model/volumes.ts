// Service `volumes` in short (`SOURCE:TARGET[:MODE]`) and long syntax as
// one ComposeMount shape. A short source starting with `.`, `/` or `~` is a
// bind mount (relative to the project directory, `~` the user's home);
// anything else names a top-level volume.
import path from 'node:path';
import type { ComposeMount } from './compose-types.js';
import { parseBytes } from './units.js';
import { formatPath, invalid, type ModelPath } from './yaml-file.js';

export interface MountContext {
  projectDir: string;
  home: string;
  warn: (message: string) => void;
  where: (p: ModelPath) => string;
}

export function splitShortVolume(spec: string): { source?: string; target: string; mode?: string } {
  const parts = spec.split(':');
  if (parts.length === 1) return { target: spec };
  if (parts.length === 2) return { source: parts[0] as string, target: parts[1] as string };
  return { source: parts[0] as string, target: parts[1] as string, mode: parts.slice(2).join(':') };
}

export function isPathSource(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source === '~' || source.startsWith('~/');
}

export function hostPath(source: string, ctx: { projectDir: string; home: string }): string {
  if (source === '~' || source.startsWith('~/')) return path.join(ctx.home, source.slice(1));
  return path.resolve(ctx.projectDir, source);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkTarget(target: unknown, at: ModelPath, ctx: MountContext): string {
  if (typeof target !== 'string' || !target.startsWith('/')) {
    throw invalid(`${ctx.where(at)}: ${formatPath(at)}: the mount target must be an absolute path in the container, got "${String(target ?? '')}"`);
  }
  return target;
}

export function normalizeMount(entry: unknown, at: ModelPath, ctx: MountContext): ComposeMount | undefined {
  if (typeof entry === 'string') {
    const { source, target, mode } = splitShortVolume(entry);
    let readOnly = false;
    for (const opt of mode ? mode.split(',') : []) {
      if (opt === 'ro') readOnly = true;
      else if (opt !== 'rw') ctx.warn(`${formatPath(at)}: mount option "${opt}" is not supported by Cove, ignored`);
    }
    const t = checkTarget(target, at, ctx);
    if (!source) return { type: 'volume', target: t, readOnly };
    if (isPathSource(source)) return { type: 'bind', source: hostPath(source, ctx), target: t, readOnly, createHostPath: true };
    return { type: 'volume', source, target: t, readOnly };
  }
  if (!isMap(entry)) throw invalid(`${ctx.where(at)}: ${formatPath(at)}: expected a string or a mapping`);
  const type = String(entry.type);
  const target = checkTarget(entry.target, [...at, 'target'], ctx);
  const readOnly = entry.read_only === true || entry.read_only === 'true';
  for (const k of ['consistency']) if (k in entry) ctx.warn(`${formatPath([...at, k])}: not supported by Cove, ignored`);
  const sub = (key: string, supported: string[]): Record<string, unknown> => {
    const v = entry[key];
    if (!isMap(v)) return {};
    for (const k of Object.keys(v)) if (!supported.includes(k)) ctx.warn(`${formatPath([...at, key, k])}: not supported by Cove, ignored`);
    return v;
  };
  if (type === 'bind') {
    if (typeof entry.source !== 'string' || entry.source === '') throw invalid(`${ctx.where(at)}: ${formatPath(at)}: a bind mount needs a source`);
    const bind = sub('bind', ['create_host_path']);
    const create = bind.create_host_path;
    return { type, source: hostPath(entry.source, ctx), target, readOnly, createHostPath: create === undefined ? true : create === true || create === 'true' };
  }
  if (type === 'volume') {
    sub('volume', []);
    const source = typeof entry.source === 'string' && entry.source !== '' ? entry.source : undefined;
    return source ? { type, source, target, readOnly } : { type, target, readOnly };
  }
  if (type === 'tmpfs') {
    const tmpfs = sub('tmpfs', ['size']);
    const mount: ComposeMount = { type, target, readOnly };
    if (tmpfs.size !== undefined) mount.tmpfsSize = parseBytes(tmpfs.size, `${ctx.where([...at, 'tmpfs', 'size'])}: ${formatPath([...at, 'tmpfs', 'size'])}`);
    return mount;
  }
  ctx.warn(`${formatPath([...at, 'type'])}: mount type "${type}" is not supported by Cove, this mount is ignored`);
  return undefined;
}
