import { EngineError } from '../errors.js';

/** An IPv4 network: `base` is the network address (host bits zero). */
export interface Cidr {
  base: number;
  prefix: number;
}

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Dotted-quad IPv4 to an unsigned 32-bit number; null if it is not one. */
export function parseIp(s: string): number | null {
  const m = OCTETS.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.89.0.0/24"; host bits must be zero, as docker requires. Prefix 8..30 leaves room for a gateway and containers. */
export function parseCidr(s: string): Cidr {
  const [addr, bits, extra] = s.split('/');
  const base = addr === undefined ? null : parseIp(addr);
  const prefix = bits !== undefined && /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (base === null || extra !== undefined || !(prefix >= 8 && prefix <= 30)) {
    throw new EngineError('E_INVALID_ARGUMENT', `invalid subnet "${s}": give an IPv4 CIDR with a prefix from /8 to /30, e.g. 10.89.5.0/24`);
  }
  if ((base & ~maskOf(prefix)) >>> 0 !== 0) {
    throw new EngineError('E_INVALID_ARGUMENT', `invalid subnet "${s}": host bits are set; did you mean ${formatCidr({ base: (base & maskOf(prefix)) >>> 0, prefix })}?`);
  }
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return (ip & maskOf(c.prefix)) >>> 0 === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & maskOf(p)) >>> 0 === (b.base & maskOf(p)) >>> 0;
}

/** The usable host addresses: not the network address, not the broadcast address. */
export function isHostAddress(c: Cidr, ip: number): boolean {
  const broadcast = (c.base | ~maskOf(c.prefix)) >>> 0;
  return contains(c, ip) && ip !== c.base && ip !== broadcast;
}

export function lastHost(c: Cidr): number {
  return ((c.base | ~maskOf(c.prefix)) >>> 0) - 1;
}
