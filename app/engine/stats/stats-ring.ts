import type { StatsSample } from '../../api/contract.js';

/** A fixed-size ring of samples: an hour at 1 Hz costs a few hundred kB per container. */
export class StatsRing {
  private readonly buf: StatsSample[] = [];
  private next = 0;
  constructor(private readonly capacity = 3600) {}

  push(sample: StatsSample): void {
    if (this.buf.length < this.capacity) this.buf.push(sample);
    else this.buf[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first; only samples newer than `sinceMs` when given. */
  list(sinceMs?: number): StatsSample[] {
    const ordered = this.buf.length < this.capacity ? [...this.buf] : [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
    return sinceMs === undefined ? ordered : ordered.filter((s) => Date.parse(s.time) >= sinceMs);
  }

  latest(): StatsSample | undefined {
    if (this.buf.length === 0) return undefined;
    return this.buf[(this.next - 1 + this.buf.length) % this.buf.length];
  }
}
