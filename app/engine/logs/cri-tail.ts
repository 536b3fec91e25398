import { parseCriLog } from '../container/cri-log.js';
import type { LogLine } from '../../api/contract.js';

/**
 * Splits freshly read log bytes into what can be parsed now and what must
 * wait: an unterminated last line, and trailing `P` (partial) records whose
 * `F` record has not been written yet. Without holding those back a follower
 * would show one line as several (CRI log format, kubelet's "P"/"F" tags).
 */
export function takeCompleteRecords(text: string): { lines: LogLine[]; rest: string } {
  const end = text.lastIndexOf('\n');
  if (end < 0) return { lines: [], rest: text };
  const records = text.slice(0, end).split('\n');
  let keep = records.length;
  while (keep > 0 && isPartial(records[keep - 1] ?? '')) keep--;
  const complete = records.slice(0, keep).join('\n');
  const held = records.slice(keep);
  const rest = (held.length > 0 ? held.join('\n') + '\n' : '') + text.slice(end + 1);
  return { lines: complete === '' ? [] : parseCriLog(complete), rest };
}

function isPartial(record: string): boolean {
  const a = record.indexOf(' ');
  const b = record.indexOf(' ', a + 1);
  return a > 0 && b > a && record.slice(b + 1, b + 3) === 'P ';
}
