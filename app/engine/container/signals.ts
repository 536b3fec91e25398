import { EngineError } from '../errors.js';

// x86_64/arm64 numbers (signal(7)).
export const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, USR1: 10, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, WINCH: 28, PWR: 30 };

export function parseSignal(signal: string | undefined): string {
  const text = (signal ?? 'KILL').toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(text) && Number(text) > 0 && Number(text) < 65) return text;
  if (text in SIGNALS) return text;
  throw new EngineError('E_INVALID_ARGUMENT', `unknown signal ${signal}; use a name like TERM or KILL, or a number`);
}

