import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LogLine } from '../../api/contract.js';
import { isNodeError } from '../errors.js';
import { takeCompleteRecords } from './cri-tail.js';

export interface LogFollowerDeps {
  /** The container's id and CRI log path (the monitor writes it; `<path>.1` after a rotation). */
  locate(query: string): Promise<{ id: string; logPath: string }>;
}

/** One follow: what the log held when it started, then new lines until it ends or is closed. */
export interface LogFollow {
  /** The lines logged before the follow started, the last `tail` of them (1000 by default). */
  initial(tail?: number): LogLine[];
  /** Lines arriving before a listener is set are kept for it. `ended` once the container is gone. */
  onLines(listener: (lines: LogLine[], ended: boolean) => void): void;
  close(): void;
}

// Bursts of writes become one event; short enough to feel live.
const COALESCE_MS = 40;
// One event never carries more than this; a flood is split, not dropped.
const MAX_LINES_PER_EVENT = 2000;

/**
 * Tails container logs (`logs:follow`, `cove logs -f`): inotify on the
 * container directory (fs.watch), never polling. It follows the file across
 * the monitor's rotation (rename to `.1`, new file) by inode, and ends when
 * the container directory goes away.
 */
export class LogFollowers {
  private readonly follows = new Set<Follow>();
  constructor(private readonly deps: LogFollowerDeps) {}

  async start(query: string): Promise<LogFollow> {
    const { logPath } = await this.deps.locate(query);
    const follow = new Follow(logPath, () => this.follows.delete(follow));
    const lines = await follow.start();
    this.follows.add(follow);
    return {
      initial: (tail = 1000) => lines.slice(Math.max(0, lines.length - tail)),
      onLines: (listener) => follow.listen(listener),
      close: () => follow.close(),
    };
  }

  get size(): number {
    return this.follows.size;
  }

  closeAll(): void {
    for (const f of this.follows) f.close();
    this.follows.clear();
  }
}

class Follow {
  private watcher: fs.FSWatcher | undefined;
  private offset = 0;
  private ino = -1;
  private rest = '';
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private dirty = false;
  private closed = false;
  private listener: ((lines: LogLine[], ended: boolean) => void) | undefined;
  private readonly early: Array<[LogLine[], boolean]> = [];

  constructor(
    private readonly logPath: string,
    private readonly onClose: () => void,
  ) {}

  listen(listener: (lines: LogLine[], ended: boolean) => void): void {
    this.listener = listener;
    for (const [lines, ended] of this.early.splice(0)) listener(lines, ended);
  }

  private deliver(lines: LogLine[], ended: boolean): void {
    if (this.listener) this.listener(lines, ended);
    else this.early.push([lines, ended]);
  }

  /** Reads what is there and starts watching; returns the existing lines. */
  async start(): Promise<LogLine[]> {
    const dir = path.dirname(this.logPath);
    const base = path.basename(this.logPath);
    // Watch before reading, so nothing written in between is missed.
    this.watcher = fs.watch(dir, (_event, name) => {
      if (name === null || name === base || name === `${base}.1`) this.schedule();
    });
    this.watcher.on('error', () => this.end());
    const rotated = await fsp.readFile(`${this.logPath}.1`, 'utf8').catch(() => '');
    let current = '';
    try {
      const handle = await fsp.open(this.logPath, 'r');
      try {
        const st = await handle.stat();
        this.ino = st.ino;
        const buf = Buffer.alloc(st.size);
        const { bytesRead } = await handle.read(buf, 0, st.size, 0);
        this.offset = bytesRead;
        current = buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (!isNodeError(err, 'ENOENT')) throw err;
    }
    const { lines, rest } = takeCompleteRecords(rotated + current);
    this.rest = rest;
    return lines;
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.read();
    }, COALESCE_MS);
  }

  private async read(): Promise<void> {
    if (this.reading) {
      this.dirty = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.dirty = false;
        const text = await this.readNew();
        if (text === null) return this.end();
        if (text === '') continue;
        const { lines, rest } = takeCompleteRecords(this.rest + text);
        this.rest = rest;
        for (let i = 0; i < lines.length && !this.closed; i += MAX_LINES_PER_EVENT) this.deliver(lines.slice(i, i + MAX_LINES_PER_EVENT), false);
      } while (this.dirty && !this.closed);
    } finally {
      this.reading = false;
    }
  }

  /** New bytes since the last read, across a rotation; null once the container is gone. */
  private async readNew(): Promise<string | null> {
    if (!fs.existsSync(path.dirname(this.logPath))) return null;
    let st: fs.Stats;
    try {
      st = await fsp.stat(this.logPath);
    } catch (err) {
      if (isNodeError(err, 'ENOENT')) return '';
      throw err;
    }
    let text = '';
    if (st.ino !== this.ino) {
      // Rotated: finish the old file (now `.1`) first, then start the new one.
      const old = await fsp.stat(`${this.logPath}.1`).catch(() => null);
      if (old && old.ino === this.ino) text += await readRange(`${this.logPath}.1`, this.offset, old.size);
      this.ino = st.ino;
      this.offset = 0;
    } else if (st.size < this.offset) {
      this.offset = 0;
    }
    if (st.size > this.offset) {
      text += await readRange(this.logPath, this.offset, st.size);
      this.offset = st.size;
    }
    return text;
  }

  private end(): void {
    if (this.closed) return;
    this.close();
    this.deliver([], true);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.onClose();
  }
}

async function readRange(file: string, start: number, end: number): Promise<string> {
  if (end <= start) return '';
  const handle = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
