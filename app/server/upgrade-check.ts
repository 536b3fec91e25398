import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * The checks every WebSocket of web mode passes (/api and /term alike): the
 * token `cove serve` printed, an Origin of this very server (no other web
 * page may drive the engine: browsers send Origin on WebSocket upgrades, and
 * WebSockets are not bound by CORS) and a Host naming it (DNS rebinding).
 */
export function isAllowedUpgrade(req: IncomingMessage, url: URL, allowedHosts: ReadonlySet<string>, token: string): boolean {
  const origin = req.headers.origin ?? '';
  return (
    allowedHosts.has(req.headers.host ?? '') &&
    [...allowedHosts].some((h) => origin === `http://${h}`) &&
    sameToken(url.searchParams.get('token') ?? '', token)
  );
}
