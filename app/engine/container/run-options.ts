// docker's run-option syntaxes, parsed once in the engine so the CLI, the
// run dialog and the API accept exactly the same strings. Every error is an
// EngineError that quotes the bad value and shows the accepted form.
import path from 'node:path';
import { EngineError } from '../errors.js';
import { procTargetRefused } from './mount-target.js';

export interface PortSpec {
  hostIp: string;
  /** 0 = pick a free port. */
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export type MountSpec =
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'volume'; source: string | null; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; options: string[] };

export interface RestartPolicy {
  name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  maxRetries: number;
}

function bad(what: string, value: string, form: string): EngineError {
  return new EngineError('E_INVALID_ARGUMENT', `invalid ${what} "${value}": expected ${form}`);
}

function port(text: string, what: string, value: string, form: string): number {
  if (!/^\d{1,5}$/.test(text)) throw bad(what, value, form);
  const n = Number(text);
  if (n > 65535) throw bad(what, value, form);
  return n;
}

/** -p [ip:][hostPort:]containerPort[/tcp|udp]; hostPort may be empty (random). */
export function parsePort(value: string): PortSpec {
  const form = '[ip:]hostPort:containerPort[/udp], e.g. 8080:80 or 127.0.0.1:8080:80/udp';
  let rest = value.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1);
    if (proto !== 'tcp' && proto !== 'udp') throw bad('port', value, form);
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  let hostIp = '0.0.0.0';
  const v6 = /^\[([0-9a-fA-F:]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1] as string;
    rest = v6[2] as string;
  }
  const parts = rest.split(':');
  if (parts.length === 3) {
    hostIp = parts.shift() as string;
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(hostIp)) throw bad('port', value, form);
  }
  if (parts.length === 1) return { hostIp, hostPort: 0, containerPort: port(parts[0] as string, 'port', value, form), protocol };
  if (parts.length !== 2) throw bad('port', value, form);
  const hostPort = parts[0] === '' ? 0 : port(parts[0] as string, 'port', value, form);
  const containerPort = port(parts[1] as string, 'port', value, form);
  if (containerPort === 0) throw bad('port', value, form);
  return { hostIp, hostPort, containerPort, protocol };
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function target(value: string, t: string, what: string, form: string): string {
  if (!path.posix.isAbsolute(t)) throw bad(what, value, form);
  const normalized = path.posix.normalize(t);
  if (normalized === '/') throw new EngineError('E_INVALID_ARGUMENT', `invalid ${what} "${value}": cannot mount over /`);
  if (procTargetRefused(normalized)) throw new EngineError('E_INVALID_ARGUMENT', `invalid ${what} "${value}": cannot mount over ${normalized} (under /proc, and /proc/self/root is the container's own root)`);
  return normalized;
}

/** -v /host:/ctr[:ro|rw], -v name:/ctr[:ro], -v /ctr (anonymous volume). */
export function parseVolume(value: string): MountSpec {
  const form = '/host/path:/container/path[:ro], name:/container/path[:ro] or /container/path';
  const parts = value.split(':');
  let mode = 'rw';
  if (parts.length === 3 || (parts.length === 2 && (parts[1] === 'ro' || parts[1] === 'rw'))) mode = parts.pop() as string;
  if (mode !== 'ro' && mode !== 'rw') throw bad('volume', value, form);
  const readOnly = mode === 'ro';
  if (parts.length === 1) return { type: 'volume', source: null, target: target(value, parts[0] as string, 'volume', form), readOnly };
  if (parts.length !== 2) throw bad('volume', value, form);
  const [src, dst] = parts as [string, string];
  if (src.startsWith('/')) return { type: 'bind', source: path.resolve(src), target: target(value, dst, 'volume', form), readOnly };
  if (src.startsWith('.') || src.startsWith('~')) throw new EngineError('E_INVALID_ARGUMENT', `invalid volume "${value}": give the host path as an absolute path`);
  if (!VOLUME_NAME.test(src)) throw bad('volume name', src, 'letters, digits, _ . - starting with a letter or digit');
  return { type: 'volume', source: src, target: target(value, dst, 'volume', form), readOnly };
}

/** --mount type=bind|volume|tmpfs,source=…,target=…[,readonly][,tmpfs-size=…][,tmpfs-mode=…] */
export function parseMount(value: string): MountSpec {
  const form = 'type=bind|volume|tmpfs,source=…,target=…[,readonly]';
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    fields.set(key, eq < 0 ? 'true' : part.slice(eq + 1));
  }
  const known = new Set(['type', 'source', 'src', 'target', 'destination', 'dst', 'readonly', 'ro', 'tmpfs-size', 'tmpfs-mode']);
  for (const key of fields.keys()) if (!known.has(key)) throw new EngineError('E_INVALID_ARGUMENT', `invalid mount "${value}": unknown field "${key}"`);
  const type = fields.get('type') ?? 'volume';
  const dst = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (!dst) throw bad('mount', value, form);
  const t = target(value, dst, 'mount', form);
  const ro = fields.get('readonly') ?? fields.get('ro');
  const readOnly = ro !== undefined && ro !== 'false' && ro !== '0';
  const src = fields.get('source') ?? fields.get('src');
  switch (type) {
    case 'bind':
      if (!src || !src.startsWith('/')) throw new EngineError('E_INVALID_ARGUMENT', `invalid mount "${value}": a bind mount needs an absolute source`);
      return { type: 'bind', source: path.resolve(src), target: t, readOnly };
    case 'volume':
      if (src !== undefined && !VOLUME_NAME.test(src)) throw bad('volume name', src, 'letters, digits, _ . -');
      return { type: 'volume', source: src ?? null, target: t, readOnly };
    case 'tmpfs': {
      const options: string[] = [];
      const size = fields.get('tmpfs-size');
      const mode = fields.get('tmpfs-mode');
      if (size) options.push(`size=${parseBytes(size, 'tmpfs-size')}`);
      if (mode) {
        if (!/^[0-7]{3,4}$/.test(mode)) throw bad('tmpfs-mode', mode, 'an octal mode like 1777');
        options.push(`mode=${mode}`);
      }
      return { type: 'tmpfs', target: t, options };
    }
    default:
      throw bad('mount type', type, 'bind, volume or tmpfs');
  }
}

/** --tmpfs /path[:opt,opt] with docker's options (size=, mode=, noexec, ...). */
export function parseTmpfs(value: string): MountSpec {
  const colon = value.indexOf(':');
  const dst = colon < 0 ? value : value.slice(0, colon);
  const opts = colon < 0 ? [] : value.slice(colon + 1).split(',').filter(Boolean);
  const allowed = /^(size=\d+[kmg]?|mode=[0-7]{3,4}|noexec|exec|nosuid|suid|nodev|dev|ro|rw|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?)$/;
  for (const o of opts) if (!allowed.test(o)) throw new EngineError('E_INVALID_ARGUMENT', `invalid tmpfs option "${o}" in "${value}"`);
  return { type: 'tmpfs', target: target(value, dst, 'tmpfs', '/path[:size=64m,mode=1777]'), options: opts };
}

/** --restart no | on-failure[:max-retries] | always | unless-stopped */
export function parseRestart(value: string): RestartPolicy {
  const form = 'no, on-failure[:max-retries], always or unless-stopped';
  const [name, count, ...extra] = value.split(':');
  if (extra.length > 0) throw bad('restart policy', value, form);
  if (name === 'no' || name === 'always' || name === 'unless-stopped') {
    if (count !== undefined) throw bad('restart policy', value, form);
    return { name, maxRetries: 0 };
  }
  if (name === 'on-failure') {
    if (count === undefined) return { name, maxRetries: 0 };
    if (!/^\d+$/.test(count)) throw bad('restart policy', value, form);
    return { name, maxRetries: Number(count) };
  }
  throw bad('restart policy', value, form);
}

/** 512m, 1g, 1048576 -> bytes (docker's units.RAMInBytes: binary multiples). */
export function parseBytes(value: string, what = 'size'): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!m) throw bad(what, value, 'a number with an optional unit b, k, m, g, e.g. 512m');
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.floor(Number(m[1]) * (mult[(m[2] ?? '').toLowerCase()] ?? 1));
}

/** --add-host name:ip */
export function parseAddHost(value: string): { name: string; ip: string } {
  const i = value.indexOf(':');
  const name = value.slice(0, i);
  // docker's special value: the host as the container reaches it (slirp4netns maps 10.0.2.2 to the host).
  const ip = value.slice(i + 1) === 'host-gateway' ? '10.0.2.2' : value.slice(i + 1);
  if (i <= 0 || !/^[a-zA-Z0-9][a-zA-Z0-9.-]*$/.test(name) || !(/^(\d{1,3}\.){3}\d{1,3}$/.test(ip) || /^[0-9a-fA-F:]+$/.test(ip))) {
    throw bad('--add-host', value, 'name:ip, e.g. db:10.0.2.100');
  }
  return { name, ip };
}
