import fs from 'node:fs';
import path from 'node:path';
import type { RawUsage } from './proc-reader.js';

function read(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function flatKeyed(text: string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

export interface CgroupUsage extends Omit<RawUsage, 'netRxBytes' | 'netTxBytes'> {
  /** memory.max, or null for "max". */
  memoryLimitBytes: number | null;
}

/**
 * Reads a cgroup v2 directory (Documentation/admin-guide/cgroup-v2.rst):
 * cpu.stat usage_usec, memory.current minus memory.stat inactive_file (what
 * docker reports as usage), memory.max, pids.current and io.stat's rbytes/
 * wbytes summed over devices.
 */
export function readCgroupUsage(dir: string): CgroupUsage | null {
  const cpu = flatKeyed(read(path.join(dir, 'cpu.stat')));
  const current = read(path.join(dir, 'memory.current'));
  if (!cpu.has('usage_usec') && current === null) return null;
  const stat = flatKeyed(read(path.join(dir, 'memory.stat')));
  const mem = Number(current ?? 0) - (stat.get('inactive_file') ?? 0);
  const maxText = (read(path.join(dir, 'memory.max')) ?? 'max').trim();
  let rd = 0;
  let wr = 0;
  for (const line of (read(path.join(dir, 'io.stat')) ?? '').split('\n')) {
    for (const field of line.trim().split(/\s+/).slice(1)) {
      const [k, v] = field.split('=');
      if (k === 'rbytes') rd += Number(v);
      if (k === 'wbytes') wr += Number(v);
    }
  }
  return {
    cpuSeconds: (cpu.get('usage_usec') ?? 0) / 1e6,
    memoryBytes: Math.max(0, mem),
    memoryLimitBytes: maxText === 'max' ? null : Number(maxText),
    pids: Number((read(path.join(dir, 'pids.current')) ?? '0').trim()),
    blockReadBytes: rd,
    blockWriteBytes: wr,
  };
}
