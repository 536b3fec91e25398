// Web mode's address per user: the port and token `cove serve` used last,
// so a restarted engine comes back at the same URL and an open page
// reconnects by itself (its WebSocket retries) instead of dying for good.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface WebAddress {
  port: number;
  token: string;
}

const FILE = 'web-address.json';
const TOKEN_RE = /^[A-Za-z0-9_-]{32,}$/;

/** Reads the stored address; anything malformed, or a file others can read, is ignored (and replaced on save). */
export function readWebAddress(dir: string): WebAddress | null {
  const file = path.join(dir, FILE);
  let text: string;
  try {
    const st = fs.lstatSync(file);
    // The token is a credential: only a regular file of ours that nobody else can read is trusted.
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) return null;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<WebAddress>;
    if (typeof v.token !== 'string' || !TOKEN_RE.test(v.token)) return null;
    if (!Number.isInteger(v.port) || (v.port as number) < 1 || (v.port as number) > 65535) return null;
    return { port: v.port as number, token: v.token };
  } catch {
    return null;
  }
}

/** Writes it 0600 (temp file, fsync, rename), in a directory of mode 0700. */
export function saveWebAddress(dir: string, address: WebAddress): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${FILE}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(address)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, FILE));
}

export function newWebToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}
