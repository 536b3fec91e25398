import { CoveApiError, type ErrorCode } from '../api/contract.js';
import { EngineError, noSpace } from '../engine/errors.js';
import type { CliEngine } from './cli-engine.js';
import { currentVerb, UsageError } from './args.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** A verb: it reaches the engine through the engine API (`engine.call`), in-process or over the engine's socket. */
export type Command = (engine: CliEngine, argv: string[], io: Io) => Promise<number>;

/** The engine's error code of a failure, whether it came from this process or over a socket. */
export function errorCode(err: unknown): ErrorCode | undefined {
  return err instanceof EngineError || err instanceof CoveApiError ? err.code : undefined;
}

/**
 * Waits for `promise` with the process held open: an engine in this
 * process keeps no handle of its own while it only waits for events (its
 * sampler's timer is unref'd), and Node would exit under a pending await.
 */
export async function awaitHeld<T>(promise: Promise<T>): Promise<T> {
  const hold = setInterval(() => undefined, 1 << 30);
  try {
    return await promise;
  } finally {
    clearInterval(hold);
  }
}

/** Until Ctrl-C (or SIGTERM): how a following verb (`events`) ends. */
export function untilInterrupted(): Promise<void> {
  return awaitHeld(
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
  );
}

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

export function formatError(raw: unknown): string {
  // A full disk anywhere (ENOSPC) is E_NO_SPACE with its path, never E_INTERNAL.
  const err = noSpace(raw);
  const code = errorCode(err);
  if (code) return `Error: ${(err as Error).message} [${code}]\n`;
  if (err instanceof UsageError) {
    // docker prints flag errors bare, then where to read the verb's help (cli.FlagErrorFunc).
    if (err.message.includes("\nSee '")) return err.message + '\n';
    const verb = err.verb ?? currentVerb();
    return `${err.message}\nSee 'cove${verb ? ' ' + verb : ''} --help'.\n`;
  }
  const e = err as Error;
  return `Error: ${e?.message ?? String(err)} [E_INTERNAL]\n`;
}

/**
 * docker's prompt before pruning ("Are you sure you want to continue? [y/N]").
 * Without a terminal on stdin there is no one to answer, so we refuse rather
 * than guess; -f is the way to say yes from a script.
 */
export async function confirm(io: Io, warning: string, force: boolean, verb: string): Promise<boolean> {
  if (force) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError(`${warning}\nRefusing to continue without a terminal to ask on: pass -f (--force) to '${verb}' to confirm`, 1, verb);
  }
  io.err(`${warning}\nAre you sure you want to continue? [y/N] `);
  const readline = await import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}
