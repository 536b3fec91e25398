import fs from 'node:fs';
import { sameProcessAlive, statStartTime } from './proc.js';

/**
 * Probes held open at once: one descriptor per running container in the list
 * cache, at most a quarter of this process's descriptor limit (Node raises
 * the soft limit to the hard one, which may be as low as 1024), so the
 * engine's own files and sockets never run short.
 */
let maxOpen: number | undefined;
let open = 0;

function openLimit(): number {
  if (maxOpen !== undefined) return maxOpen;
  let soft = 1024;
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (m?.[1] && m[1] !== 'unlimited') soft = Number(m[1]);
    else if (m?.[1] === 'unlimited') soft = 4096;
  } catch {
    // The conservative default stands.
  }
  maxOpen = Math.min(1024, Math.floor(soft / 4));
  return maxOpen;
}
const buf = Buffer.alloc(4096);

/**
 * Whether one recorded process still lives, asked again and again (every
 * `docker ps`) at the cost of one pread(2). A descriptor of /proc/PID/stat
 * stays bound to the process it was opened for: once that process is gone
 * (reaped), reads fail with ESRCH even if its pid is reused (proc(5)), so the
 * start time is compared once, at open, not on every call.
 */
export class ProcessProbe {
  private fd: number | null = null;
  /** Gone for good: a process does not come back. */
  private gone = false;

  alive(pid: number, recordedStart: string | null): boolean {
    if (this.gone) return false;
    if (this.fd === null) return this.open(pid, recordedStart);
    const state = readState(this.fd);
    if (state !== null) return true;
    this.end();
    return false;
  }

  private open(pid: number, recordedStart: string | null): boolean {
    // No descriptor to spare: the path-based check, every time.
    if (open >= openLimit()) return sameProcessAlive(pid, recordedStart);
    let fd: number;
    try {
      fd = fs.openSync(`/proc/${pid}/stat`, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') {
        this.gone = true;
        return false;
      }
      return sameProcessAlive(pid, recordedStart);
    }
    open++;
    this.fd = fd;
    const start = readStartTime(fd);
    // Zombie, gone, or another process that got the pid since it was recorded.
    if (start === null || (recordedStart !== null && start !== recordedStart)) {
      this.end();
      return false;
    }
    return true;
  }

  private end(): void {
    this.close();
    this.gone = true;
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    open--;
  }
}

/** Reads /proc/PID/stat into `buf`: its length, or -1 when the process is gone. */
function readRaw(fd: number): number {
  try {
    return fs.readSync(fd, buf, 0, buf.length, 0);
  } catch {
    return -1;
  }
}

/**
 * Field 3 of /proc/PID/stat, read in place without making a string (this
 * runs for every running container on every list), or null when the
 * process is a zombie or gone (proc(5), as statStartTime).
 */
function readState(fd: number): string | null {
  const n = readRaw(fd);
  // comm (field 2) may hold spaces and parentheses: the state follows the last ')'.
  const close = n > 0 ? buf.lastIndexOf(0x29, n - 1) : -1;
  if (close < 0 || close + 2 >= n) return null;
  const state = String.fromCharCode(buf[close + 2] as number);
  return state === 'Z' || state === 'X' ? null : state;
}

/** The start time of a live process (statStartTime), null when it is a zombie or gone. */
function readStartTime(fd: number): string | null {
  const n = readRaw(fd);
  return n > 0 ? statStartTime(buf.toString('latin1', 0, n)) : null;
}
