// The wire between the host and the guest agent in the Cove VM, over QEMU's
// user-mode hostfwd (a loopback TCP port on the host). The client's first
// line is a JSON header carrying the machine's token; after it both sides
// exchange frames: one type byte, a 32-bit big-endian length, the payload.
// The "api" operation is the exception: after the header the connection is
// a raw pipe to the engine's unix socket in the VM.
import { timingSafeEqual } from 'node:crypto';

export const AGENT_GUEST_PORT = 7070;
export const MAX_HEADER = 64 * 1024;
export const MAX_FRAME = 4 * 1024 * 1024;

export const Frame = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  exit: 3,
  json: 4,
  stdinEnd: 5,
  /** A terminal's new size, JSON {rows, cols} (tty sessions only). */
  resize: 6,
} as const;
export type FrameType = (typeof Frame)[keyof typeof Frame];

export type AgentOp = 'ping' | 'exec' | 'cove' | 'ports' | 'api' | 'sync';

export interface AgentHeader {
  token: string;
  op: AgentOp;
  /** exec: the command; cove: the CLI's arguments. */
  argv?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Run on a pseudo-terminal of this size (`-it` from a terminal on the host); output is one stream. */
  tty?: TermSize;
}

export interface TermSize {
  rows: number;
  cols: number;
}

export function isTermSize(v: unknown): v is TermSize {
  const t = v as Partial<TermSize> | null;
  const ok = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 10000;
  return typeof t === 'object' && t !== null && ok(t.rows) && ok(t.cols);
}

export interface PingReply {
  ok: true;
  kernel: string;
  version: string;
  cgroupControllers: string[];
  delegated: boolean;
}

export interface GuestPort {
  protocol: 'tcp' | 'udp';
  hostPort: number;
}

export function encodeFrame(type: FrameType, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames; throws on a frame over MAX_FRAME (a peer that is not ours). */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Array<{ type: number; payload: Buffer }> {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Array<{ type: number; payload: Buffer }> = [];
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (len > MAX_FRAME) throw new Error(`frame of ${len} bytes is over the limit`);
      if (this.buf.length < 5 + len) break;
      out.push({ type: this.buf.readUInt8(0), payload: this.buf.subarray(5, 5 + len) });
      this.buf = this.buf.subarray(5 + len);
    }
    return out;
  }
  /** Bytes after the last whole frame (for the raw "api" pipe). */
  rest(): Buffer {
    return this.buf;
  }
}

export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseHeader(line: string): AgentHeader {
  const v = JSON.parse(line) as Partial<AgentHeader>;
  const ops: AgentOp[] = ['ping', 'exec', 'cove', 'ports', 'api', 'sync'];
  if (typeof v !== 'object' || v === null || typeof v.token !== 'string' || !ops.includes(v.op as AgentOp)) throw new Error('bad header');
  if (v.argv !== undefined && (!Array.isArray(v.argv) || !v.argv.every((a) => typeof a === 'string'))) throw new Error('bad argv');
  if (v.cwd !== undefined && typeof v.cwd !== 'string') throw new Error('bad cwd');
  if (v.env !== undefined && (typeof v.env !== 'object' || v.env === null || !Object.values(v.env).every((x) => typeof x === 'string'))) throw new Error('bad env');
  if (v.tty !== undefined && !isTermSize(v.tty)) throw new Error('bad tty');
  return v as AgentHeader;
}
