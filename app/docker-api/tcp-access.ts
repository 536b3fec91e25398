// The opt-in TCP listener of the Docker API (`--tcp 127.0.0.1:PORT`). The API
// is root-equivalent over the user's containers and any local process can
// reach a loopback port (other users, a browser page), so: loopback only,
// and every request carries a token that only the user can read
// (`Authorization: Bearer TOKEN`; the docker CLI sends it from config.json's
// "HttpHeaders"). The unix socket needs none: its mode keeps others out.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EngineError } from '../engine/errors.js';
import { ensureOwnDir } from '../engine/paths.js';

export interface TcpAddress {
  host: string;
  port: number;
}

export const TOKEN_FILE = 'docker-tcp.token';
const TOKEN_RE = /^[A-Za-z0-9_-]{32,}$/;

function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.split('.')[0] === '127';
  return net.isIPv6(host) && host === '::1';
}

/** `127.0.0.1:PORT` or `[::1]:PORT` (PORT 0: a free one). Anything else is refused, names included (`localhost` may resolve elsewhere). */
export function parseTcpAddress(text: string): TcpAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new EngineError('E_INVALID_ARGUMENT', `invalid --tcp ${JSON.stringify(text)}: expected 127.0.0.1:PORT or [::1]:PORT`);
  }
  if (!isLoopback(host)) {
    throw new EngineError('E_INVALID_ARGUMENT', `refusing --tcp ${text}: the Docker API is only served on a loopback address (127.0.0.1 or ::1), never on ${host}: whoever reaches it controls your containers`);
  }
  return { host, port };
}

/**
 * The token clients present, kept in the runtime directory (0700) as a 0600
 * file: the same token across restarts, so a client's config stays valid.
 * A file that is not a regular file of ours closed to others is replaced.
 */
export function loadOrCreateToken(runtimeDir: string): { token: string; file: string } {
  ensureOwnDir(runtimeDir);
  const file = path.join(runtimeDir, TOKEN_FILE);
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (st?.isFile() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0) {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (TOKEN_RE.test(token)) return { token, file };
  }
  if (st) fs.rmSync(file, { force: true });
  const token = crypto.randomBytes(32).toString('base64url');
  const tmp = path.join(runtimeDir, `.${TOKEN_FILE}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, `${token}\n`);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return { token, file };
}

/** Whether a request presents the token (compared in constant time). */
export function presentsToken(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1] as string);
  const want = Buffer.from(token);
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}

/** What `--tcp` prints: where, and how a docker client presents the token. */
export function printTcpAccess(tcp: { url: string; tokenFile: string }): string {
  return `Docker API (TCP): DOCKER_HOST=${tcp.url}, token in ${tcp.tokenFile}\n  clients send "Authorization: Bearer <token>"; the docker CLI, from config.json: {"HttpHeaders": {"Authorization": "Bearer <token>"}}\n`;
}
