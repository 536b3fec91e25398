// Pull/push progress for the terminal: per-layer bars redrawn in place on a
// TTY, plain status lines otherwise (CI logs, pipes), as docker does.
import type { LayerProgress, LayerStatus, TaskProgress } from '../api/contract.js';
import { shortId } from '../engine/digest.js';
import { humanSize } from './format.js';
import { layerWords } from '../engine/layer-words.js';


function bar(current: number, total: number | null, width = 30): string {
  if (!total) return '';
  const filled = Math.min(width, Math.floor((current / total) * width));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
}

function eta(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export interface ProgressRenderer {
  update(task: TaskProgress): void;
  finish(task: TaskProgress): void;
}

export function progressRenderer(write: (text: string) => void, tty: boolean, words: Partial<Record<LayerStatus, string>> = {}): ProgressRenderer {
  const say = (task: TaskProgress, s: LayerStatus): string => words[s] ?? layerWords(task.kind)[s];
  if (tty) {
    let drawn = 0;
    const draw = (task: TaskProgress): void => {
      const lines = task.layers.map((l: LayerProgress) => {
        const moving = l.status === 'downloading' || l.status === 'extracting';
        const amount = moving && l.size ? ` ${bar(l.current, l.size)} ${humanSize(l.current)}/${humanSize(l.size)}` : '';
        return `${shortId(l.digest)}: ${say(task, l.status)}${amount}`;
      });
      if (task.total !== null && task.state === 'running') {
        lines.push(`Total ${bar(task.current, task.total)} ${humanSize(task.current)}/${humanSize(task.total)}${task.etaSeconds !== null ? ` ETA ${eta(task.etaSeconds)}` : ''}`);
      }
      let out = drawn > 0 ? `\x1b[${drawn}A` : '';
      for (const line of lines) out += `\x1b[2K${line}\n`;
      // Lines from a taller previous frame are cleared.
      for (let i = lines.length; i < drawn; i++) out += '\x1b[2K\n';
      const extra = Math.max(0, drawn - lines.length);
      if (extra > 0) out += `\x1b[${extra}A`;
      drawn = lines.length;
      write(out);
    };
    return { update: draw, finish: draw };
  }
  const last = new Map<string, { status: LayerStatus; at: number }>();
  const update = (task: TaskProgress): void => {
    const now = Date.now();
    for (const l of task.layers) {
      const prev = last.get(l.digest);
      const changed = !prev || prev.status !== l.status;
      const periodic = prev && l.status === 'downloading' && now - prev.at >= 2000;
      if (!changed && !periodic) continue;
      last.set(l.digest, { status: l.status, at: now });
      const amount = l.status === 'downloading' && l.size && l.current > 0 ? ` ${humanSize(l.current)}/${humanSize(l.size)}` : '';
      write(`${shortId(l.digest)}: ${say(task, l.status)}${amount}\n`);
    }
  };
  return { update, finish: update };
}
