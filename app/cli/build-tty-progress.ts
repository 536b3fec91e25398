// `cove build --progress tty` (and auto on a terminal): BuildKit's live
// view. The steps are redrawn in place (cursor up, erase down) at most every
// 100 ms: a header with the elapsed time and steps done, one line per step
// with CACHED or its time, and the last output lines of running steps.
import type { BuildEvent } from '../engine/build/build-types.js';

interface Step {
  id: number;
  label: string;
  state: 'running' | 'cached' | 'done' | 'failed';
  started: number;
  seconds: number | null;
  tail: string[];
}

const TAIL = 6;

export interface TtyProgress {
  onEvent(e: BuildEvent): void;
  /** Draws the final frame (no output tails) and stops the timer. */
  finish(): void;
}

export function ttyProgress(write: (text: string) => void, columns = 80, now: () => number = Date.now): TtyProgress {
  const steps = new Map<number, Step>();
  const notes: string[] = [];
  const t0 = now();
  let drawn = 0;
  let dirty = false;
  const fit = (s: string): string => (s.length > columns - 1 ? `${s.slice(0, columns - 2)}…` : s);
  const frame = (final: boolean): string[] => {
    const list = [...steps.values()];
    const finished = list.filter((s) => s.state !== 'running').length;
    const lines = [`[+] Building ${((now() - t0) / 1000).toFixed(1)}s (${finished}/${list.length})${final ? ' FINISHED' : ''}`, ...notes];
    for (const s of list) {
      const time = s.state === 'running' ? ((now() - s.started) / 1000).toFixed(1) : (s.seconds ?? 0).toFixed(1);
      if (s.state === 'cached') lines.push(fit(` => CACHED ${s.label}`));
      else if (s.state === 'failed') lines.push(fit(` => ERROR ${s.label}`));
      else lines.push(fit(` => ${s.label}`.padEnd(columns - 8) + `${time}s`.padStart(7)));
      if ((s.state === 'running' && !final) || s.state === 'failed') for (const l of s.tail) lines.push(fit(` => => ${l}`));
    }
    return lines;
  };
  const draw = (final = false): void => {
    const lines = frame(final);
    // Back to the first line of the previous frame, then erase to the end of the screen.
    write(`${drawn > 0 ? `\x1b[${drawn}F` : ''}\x1b[J${lines.join('\n')}\n`);
    drawn = lines.length;
    dirty = false;
  };
  const timer = setInterval(() => {
    if (dirty || [...steps.values()].some((s) => s.state === 'running')) draw();
  }, 100);
  timer.unref();
  return {
    onEvent(e) {
      dirty = true;
      switch (e.type) {
        case 'note':
          notes.push(`NOTE: ${e.text}`);
          break;
        case 'context':
          notes.splice(0, notes.length, ...notes.filter((n) => !n.startsWith('transferring')), `transferring context: ${(e.bytes / 1024 / 1024).toFixed(1)}MB`);
          break;
        case 'step':
          steps.set(e.id, { id: e.id, label: e.label, state: 'running', started: now(), seconds: null, tail: [] });
          break;
        case 'output': {
          const s = steps.get(e.id);
          if (s) s.tail = [...s.tail, ...e.text.split(/\r?\n/).filter((l) => l !== '')].slice(-TAIL);
          break;
        }
        case 'cached': {
          const s = steps.get(e.id);
          if (s) s.state = 'cached';
          break;
        }
        case 'done': {
          const s = steps.get(e.id);
          if (s) Object.assign(s, { state: 'done', seconds: e.seconds });
          break;
        }
        case 'failed': {
          const s = steps.get(e.id);
          if (s) Object.assign(s, { state: 'failed', tail: [...s.tail, e.message.split('\n')[0] ?? ''].slice(-TAIL) });
          break;
        }
      }
    },
    finish() {
      clearInterval(timer);
      draw(true);
    },
  };
}
