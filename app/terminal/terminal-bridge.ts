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
  onData(listener: (data: string) => void): () => void;
  onExit(listener: (code: number) => void): () => void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  close(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function controlFrame(control: TerminalControl): Uint8Array {
  return encodeTerminalFrame(TERMINAL_FRAME.control, encoder.encode(JSON.stringify(control)));
}

export interface TerminalBridgeOptions {
  high?: number;
  low?: number;
}

export class TerminalBridge {
  private readonly flow: FlowControl;
  private readonly disposers: Array<() => void> = [];
  private closed = false;

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
    this.disposers.push(
      proc.onData((data) => {
        if (this.closed) return;
        const bytes = encoder.encode(data);
        channel.send(encodeTerminalFrame(TERMINAL_FRAME.data, bytes), () => this.flow.onQueued(channel.bufferedAmount()));
        this.flow.onSent(bytes.length);
        this.flow.onQueued(channel.bufferedAmount());
      }),
      proc.onExit((code) => {
        if (this.closed) return;
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
        this.proc.write(decoder.decode(frame.subarray(1)));
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
