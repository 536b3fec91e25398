import fs from 'node:fs';

/** What one reading of one container's processes gives (cumulative counters). */
export interface RawUsage {
  /** CPU time of all its processes, in seconds. */
  cpuSeconds: number;
  memoryBytes: number;
  pids: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

export interface ProcEntry {
  pid: number;
  ppid: number;
  uid: number;
  comm: string;
  cmdline: string;
  state: string;
  cpuTicks: number;
  rssBytes: number;
  startTicks: number;
}

const TICKS = 100; // sysconf(_SC_CLK_TCK) is 100 on every Linux Cove supports
const PAGE = 4096;

function read(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** proc(5) /proc/PID/stat, split after the last ')' since comm may hold spaces. */
export function parseStat(
  text: string,
): { comm: string; state: string; ppid: number; cpuTicks: number; reapedChildTicks: number; startTicks: number; rssPages: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    // cutime + cstime: children it has waited for (a shell's pipeline).
    reapedChildTicks: Number(f[13]) + Number(f[14]),
    startTicks: Number(f[19]),
    rssPages: Number(f[21]),
  };
}

/** Sums bytes of every interface but loopback from a /proc/PID/net/dev text. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    rx += Number(f[0] ?? 0);
    tx += Number(f[8] ?? 0);
  }
  return { rx, tx };
}

export function parseIo(text: string): { read: number; write: number } {
  const get = (k: string): number => Number(new RegExp(`^${k}: (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { read: get('read_bytes'), write: get('write_bytes') };
}

/**
 * One pass over /proc that groups every process by its pid namespace, so
 * one sampler serves any number of containers (without a
 * delegated cgroup, stats come from /proc of the container's processes).
 */
export function scanByPidNamespace(procRoot = '/proc'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const name of fs.readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    let ns: string;
    try {
      ns = fs.readlinkSync(`${procRoot}/${name}/ns/pid`);
    } catch {
      continue;
    }
    const list = out.get(ns);
    if (list) list.push(Number(name));
    else out.set(ns, [Number(name)]);
  }
  return out;
}

export function pidNamespaceOf(pid: number, procRoot = '/proc'): string | null {
  try {
    return fs.readlinkSync(`${procRoot}/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

export function readProcEntry(pid: number, procRoot = '/proc'): ProcEntry | null {
  const stat = read(`${procRoot}/${pid}/stat`);
  const parsed = stat ? parseStat(stat) : null;
  if (!parsed) return null;
  const status = read(`${procRoot}/${pid}/status`) ?? '';
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
  const cmdline = (read(`${procRoot}/${pid}/cmdline`) ?? '').replace(/\0+$/, '').split('\0').join(' ');
  return {
    pid,
    ppid: parsed.ppid,
    uid,
    comm: parsed.comm,
    cmdline: cmdline || `[${parsed.comm}]`,
    state: parsed.state,
    cpuTicks: parsed.cpuTicks,
    rssBytes: parsed.rssPages * PAGE,
    startTicks: parsed.startTicks,
  };
}

/** Cumulative usage of a container from /proc: its processes, and its init's network namespace. */
export function readProcUsage(initPid: number, pids: number[], procRoot = '/proc'): RawUsage {
  let cpuTicks = 0;
  let mem = 0;
  let rd = 0;
  let wr = 0;
  let count = 0;
  for (const pid of pids) {
    const stat = read(`${procRoot}/${pid}/stat`);
    const parsed = stat ? parseStat(stat) : null;
    if (!parsed) continue;
    count++;
    cpuTicks += parsed.cpuTicks;
    mem += parsed.rssPages * PAGE;
    const io = read(`${procRoot}/${pid}/io`);
    if (io) {
      const v = parseIo(io);
      rd += v.read;
      wr += v.write;
    }
  }
  const net = parseNetDev(read(`${procRoot}/${initPid}/net/dev`) ?? '');
  return { cpuSeconds: cpuTicks / TICKS, memoryBytes: mem, pids: count, netRxBytes: net.rx, netTxBytes: net.tx, blockReadBytes: rd, blockWriteBytes: wr };
}

export function hostMemoryBytes(procRoot = '/proc'): number {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(read(`${procRoot}/meminfo`) ?? '');
  return Number(m?.[1] ?? 0) * 1024;
}
