// Joins one PtySession to one binary byte channel (a WebSocket in web mode,
// a MessagePort in Electron) using the frames of the API contract.
import { TERMINAL_FLOW, TERMINAL_FRAME, encodeTerminalFrame, type TerminalControl } from '../api/contract.js';
import { FlowControl } from './flow-control.js';

/** The few things a bridge needs from a transport. */
export interface TerminalChannel {
  send(frame: Uint8Array, sent?: () => void): void;
  /** Bytes still queued for sending; 0 where the transport cannot tell. */
  bufferedAmount(): number;
  close(): void;
}

/** What a bridge needs from a terminal process (PtySession has it). */
export interface TerminalProcess {
  /** Output as raw bytes (node-pty with `encoding: null`) or text. */
  onData(listener: (data: Uint8Array | string) => void): () => void;
  onExit(listener: (code: number) => void): () => void;
  write(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  close(): void;
}

const encoder = new TextEncoder();

export function controlFrame(control: TerminalControl): Uint8Array {
  return encodeTerminalFrame(TERMINAL_FRAME.control, encoder.encode(JSON.stringify(control)));
}

export interface TerminalBridgeOptions {
  high?: number;
  low?: number;
  /** A batch is sent at once when it grows past this many bytes. */
  maxBatch?: number;
}

// A pty hands out at most 4 KiB per read (N_TTY_BUF_SIZE), so a flood is
// thousands of small chunks; one frame per chunk makes the socket, the page's
// message loop and xterm.js's write queue the bottleneck. Output after a
// quiet spell goes out right after this I/O phase (setImmediate), so a
// keystroke's echo is not delayed; while output streams, chunks gather for
// STREAM_BATCH_MS into one frame of up to MAX_BATCH bytes.
const MAX_BATCH = 256 * 1024;
const STREAM_BATCH_MS = 4;

export class TerminalBridge {
  private readonly flow: FlowControl;
  private readonly disposers: Array<() => void> = [];
  private closed = false;
  private flushOutput: () => void = () => undefined;

  constructor(
    readonly session: string,
    private readonly proc: TerminalProcess,
    channel: TerminalChannel,
    options: TerminalBridgeOptions = {},
  ) {
    this.flow = new FlowControl({
      high: options.high ?? TERMINAL_FLOW.high,
      low: options.low ?? TERMINAL_FLOW.low,
      pause: () => proc.pause(),
      resume: () => proc.resume(),
    });
    channel.send(controlFrame({ type: 'ready', session }));
    const maxBatch = options.maxBatch ?? MAX_BATCH;
    let batch: Uint8Array[] = [];
    let batched = 0;
    let scheduled: { cancel(): void } | null = null;
    let lastFlush = 0;
    const schedule = (): { cancel(): void } => {
      if (performance.now() - lastFlush < STREAM_BATCH_MS) {
        const t = setTimeout(flush, STREAM_BATCH_MS);
        return { cancel: () => clearTimeout(t) };
      }
      const i = setImmediate(flush);
      return { cancel: () => clearImmediate(i) };
    };
    const flush = (): void => {
      scheduled?.cancel();
      scheduled = null;
      lastFlush = performance.now();
      if (this.closed || batched === 0) return;
      const frame = new Uint8Array(batched + 1);
      frame[0] = TERMINAL_FRAME.data;
      let at = 1;
      for (const chunk of batch) {
        frame.set(chunk, at);
        at += chunk.length;
      }
      const bytes = batched;
      batch = [];
      batched = 0;
      channel.send(frame, () => this.flow.onQueued(channel.bufferedAmount()));
      this.flow.onSent(bytes);
      this.flow.onQueued(channel.bufferedAmount());
    };
    this.flushOutput = flush;
    this.disposers.push(
      () => {
        scheduled?.cancel();
        scheduled = null;
      },
      proc.onData((data) => {
        if (this.closed) return;
        const bytes = typeof data === 'string' ? encoder.encode(data) : data;
        if (bytes.length === 0) return;
        batch.push(bytes);
        batched += bytes.length;
        if (batched >= maxBatch) flush();
        else scheduled ??= schedule();
      }),
      proc.onExit((code) => {
        if (this.closed) return;
        this.flushOutput();
        channel.send(controlFrame({ type: 'exit', code }));
        this.dispose();
        channel.close();
      }),
    );
  }

  get paused(): boolean {
    return this.flow.isPaused;
  }

  /** One frame from the client: input, a resize or an ack. Malformed frames are dropped. */
  receive(frame: Uint8Array): void {
    if (this.closed || frame.length === 0) return;
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    switch (frame[0]) {
      case TERMINAL_FRAME.data:
        // Bytes as they came: a UTF-8 character split across two frames stays whole.
        this.proc.write(frame.subarray(1));
        break;
      case TERMINAL_FRAME.resize:
        if (frame.length === 5) {
          const cols = view.getUint16(1);
          const rows = view.getUint16(3);
          if (cols >= 2 && cols <= 1000 && rows >= 1 && rows <= 1000) this.proc.resize(cols, rows);
        }
        break;
      case TERMINAL_FRAME.ack:
        if (frame.length === 5) this.flow.onAck(view.getUint32(1));
        break;
      default:
        break;
    }
  }

  /** The client went away: end the process (a `cove exec` shell would otherwise linger). */
  close(): void {
    if (this.closed) return;
    this.dispose();
    this.proc.close();
  }

  private dispose(): void {
    this.closed = true;
    for (const d of this.disposers.splice(0)) d();
  }
}
