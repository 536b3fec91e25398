// Service `ports` in short syntax (`[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`,
// ranges on either side, `[::1]` for an IPv6 host address) and long syntax,
// as ComposePort entries: a container range becomes one entry per port, as
// compose expands them.
import type { ComposePort } from './compose-types.js';
import { formatPath, invalid, type ModelPath } from './yaml-file.js';

interface Range {
  start: number;
  end: number;
}

function parseRange(text: string, bad: () => Error): Range {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw bad();
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) throw bad();
  return { start, end };
}

function protocolOf(text: string | undefined, at: ModelPath, where: string): 'tcp' | 'udp' {
  const p = (text ?? 'tcp').toLowerCase();
  if (p === 'tcp' || p === 'udp') return p;
  throw invalid(`${where}: ${formatPath(at)}: protocol "${text}" is not supported (tcp or udp)`);
}

export function normalizePorts(entries: unknown[], base: ModelPath, where: (p: ModelPath) => string): ComposePort[] {
  const out: ComposePort[] = [];
  entries.forEach((entry, i) => {
    const at = [...base, i];
    if (typeof entry === 'number') entry = String(entry);
    if (typeof entry === 'string') {
      out.push(...shortPort(entry, at, where(at)));
      return;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(`${where(at)}: ${formatPath(at)}: expected a string, a number or a mapping`);
    const e = entry as Record<string, unknown>;
    const bad = () => invalid(`${where(at)}: ${formatPath(at)}: invalid port ${JSON.stringify(entry)}`);
    const target = parseRange(String(e.target ?? ''), bad);
    if (target.start !== target.end) throw bad();
    const port: ComposePort = { target: target.start, protocol: protocolOf(e.protocol === undefined ? undefined : String(e.protocol), at, where(at)) };
    if (e.published !== undefined && e.published !== null && String(e.published) !== '') {
      parseRange(String(e.published), bad);
      port.published = String(e.published);
    }
    if (typeof e.host_ip === 'string' && e.host_ip !== '') port.hostIp = e.host_ip;
    out.push(port);
  });
  return out;
}

function shortPort(spec: string, at: ModelPath, where: string): ComposePort[] {
  const bad = () => invalid(`${where}: ${formatPath(at)}: invalid port "${spec}" (expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])`);
  const [body = '', proto] = spec.split('/');
  const protocol = protocolOf(proto, at, where);
  let hostIp: string | undefined;
  let rest = body;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:');
    if (close < 0) throw bad();
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostPart: string | undefined;
  let containerPart: string;
  if (parts.length === 1) containerPart = parts[0] as string;
  else if (parts.length === 2) [hostPart, containerPart] = parts as [string, string];
  else if (parts.length === 3 && hostIp === undefined) [hostIp, hostPart, containerPart] = parts as [string, string, string];
  else throw bad();
  if (hostIp === '') hostIp = undefined;
  const container = parseRange(containerPart, bad);
  const host = hostPart ? parseRange(hostPart, bad) : undefined;
  const withIp = (p: ComposePort): ComposePort => (hostIp ? { ...p, hostIp } : p);
  const count = container.end - container.start + 1;
  if (count === 1) {
    const p: ComposePort = { target: container.start, protocol };
    if (host) p.published = host.start === host.end ? String(host.start) : `${host.start}-${host.end}`;
    return [withIp(p)];
  }
  if (host && host.end - host.start + 1 !== count) throw bad();
  const ports: ComposePort[] = [];
  for (let n = 0; n < count; n++) {
    const p: ComposePort = { target: container.start + n, protocol };
    if (host) p.published = String(host.start + n);
    ports.push(withIp(p));
  }
  return ports;
}

/** Host ports a published value covers ([] for a random one). */
export function publishedPorts(p: ComposePort): number[] {
  if (!p.published) return [];
  const [a, b] = p.published.split('-').map(Number) as [number, number | undefined];
  const out: number[] = [];
  // A published range with one container port lets the runtime pick one free port from it: not a fixed claim.
  if (b !== undefined && b !== a) return out;
  out.push(a);
  return out;
}
