// Watermark flow control for terminal output (xterm.js guide "Flow
// control"): a pty can produce hundreds of MB/s, far more than a terminal
// renders, so without back-pressure `cat bigfile` fills the socket and the
// renderer's memory until the UI freezes. The producer is paused while too
// much is in flight and resumed once the consumer caught up.

export interface FlowControlOptions {
  high: number;
  low: number;
  pause(): void;
  resume(): void;
}

export class FlowControl {
  private sent = 0;
  private acked = 0;
  private queued = 0;
  private paused = false;

  constructor(private readonly options: FlowControlOptions) {
    if (!(options.low < options.high)) throw new Error('flow control needs low < high');
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Bytes sent and not yet acknowledged by the terminal. */
  get inFlight(): number {
    return this.sent - this.acked;
  }

  onSent(bytes: number): void {
    this.sent += bytes;
    this.update();
  }

  /** The consumer rendered `bytes` more (a cumulative ack would hide a lost frame; counts add up). */
  onAck(bytes: number): void {
    this.acked = Math.min(this.sent, this.acked + Math.max(0, bytes));
    this.update();
  }

  /** What the transport still holds in its send buffer (WebSocket bufferedAmount). */
  onQueued(bytes: number): void {
    this.queued = Math.max(0, bytes);
    this.update();
  }

  private update(): void {
    const pressure = Math.max(this.inFlight, this.queued);
    if (!this.paused && pressure > this.options.high) {
      this.paused = true;
      this.options.pause();
    } else if (this.paused && pressure < this.options.low) {
      this.paused = false;
      this.options.resume();
    }
  }
}
