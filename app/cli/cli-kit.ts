import { EngineError } from '../engine/errors.js';
import type { Engine } from '../engine/engine.js';
import { UsageError } from './args.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export type Command = (engine: Engine, argv: string[], io: Io) => Promise<number>;

/** Runs `fn` per argument like docker: print each success, report each failure, exit 1 if any failed. */
export async function each(ids: string[], io: Io, fn: (id: string) => Promise<string>): Promise<number> {
  let failed = 0;
  for (const id of ids) {
    try {
      io.out((await fn(id)) + '\n');
    } catch (err) {
      failed++;
      io.err(formatError(err));
    }
  }
  return failed === 0 ? 0 : 1;
}

export function formatError(err: unknown): string {
  if (err instanceof EngineError) return `Error: ${err.message} [${err.code}]\n`;
  if (err instanceof UsageError) return `Error: ${err.message}\nSee 'cove --help'.\n`;
  const e = err as Error;
  return `Error: ${e?.message ?? String(err)} [E_INTERNAL]\n`;
}
