// docker's stream framing for non-TTY attach, exec and logs: each chunk is
// an 8-byte header (stream: 0 stdin, 1 stdout, 2 stderr; three zero bytes;
// a big-endian uint32 length) and the payload. TTY streams are raw bytes.
import type { LogLine } from '../api/contract.js';

export const STREAM = { stdin: 0, stdout: 1, stderr: 2 } as const;

export function muxFrame(stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Log lines as docker's logs endpoint sends them: framed unless the container has a TTY, optionally timestamped. */
export interface LogChunkOptions {
  tty: boolean;
  timestamps: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Milliseconds since the epoch; lines outside [since, until] are left out (0: no bound). */
  since?: number;
  until?: number;
}

export function logChunk(lines: LogLine[], opts: LogChunkOptions): Buffer {
  const parts: Buffer[] = [];
  for (const l of lines) {
    if (l.stream === 'stdout' ? !opts.stdout : !opts.stderr) continue;
    if (opts.since || opts.until) {
      const t = Date.parse(l.time);
      if ((opts.since && t < opts.since) || (opts.until && t > opts.until)) continue;
    }
    const text = Buffer.from(`${opts.timestamps ? `${l.time} ` : ''}${l.text}\n`);
    parts.push(opts.tty ? text : muxFrame(STREAM[l.stream], text));
  }
  return Buffer.concat(parts);
}

/** Splits a multiplexed byte stream back into frames (the tests read docker's framing with it). */
export class MuxReader {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer): Array<{ stream: number; payload: Buffer }> {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Array<{ stream: number; payload: Buffer }> = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      out.push({ stream: this.buf[0] as number, payload: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}
