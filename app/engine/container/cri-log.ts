import type { LogLine, LogStream } from '../../api/contract.js';

/**
 * Parses the monitor's log: CRI format, one record per line,
 * "<RFC3339Nano> <stdout|stderr> <F|P> <text>" (kubelet's container log
 * format); P records are partial lines joined with what follows.
 */
export function parseCriLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  const pending: Partial<Record<LogStream, { time: string; text: string }>> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    const c = line.indexOf(' ', b + 1);
    if (a < 0 || b < 0) continue;
    const time = line.slice(0, a);
    const stream = line.slice(a + 1, b);
    if (stream !== 'stdout' && stream !== 'stderr') continue;
    const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
    const body = c < 0 ? '' : line.slice(c + 1);
    const prev = pending[stream];
    if (tag === 'P') {
      pending[stream] = { time: prev?.time ?? time, text: (prev?.text ?? '') + body };
      continue;
    }
    out.push({ time: prev?.time ?? time, stream, text: (prev?.text ?? '') + body });
    delete pending[stream];
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const p = pending[stream];
    if (p) out.push({ time: p.time, stream, text: p.text });
  }
  return out;
}
