import fs from 'node:fs';

/** Field 22 of /proc/PID/stat's text: start time in clock ticks since boot (proc(5)); null for a zombie or a dead process. */
export function statStartTime(stat: string): string | null {
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (rest[0] === 'Z' || rest[0] === 'X') return null;
  return rest[19] ?? null;
}

/** Field 22 of /proc/PID/stat; null if gone. */
export function procStartTime(pid: number): string | null {
  try {
    return statStartTime(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** True if `pid` runs and is the same process that was recorded (guards against pid reuse). */
export function sameProcessAlive(pid: number, recordedStart: string | null): boolean {
  const start = procStartTime(pid);
  if (start === null) return false;
  return recordedStart === null || start === recordedStart;
}
