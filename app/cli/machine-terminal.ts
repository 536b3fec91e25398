// This terminal, lent to a verb that runs in the Cove VM: `run -t`, `exec -t`
// and `attach` from a terminal (and an interactive `machine ssh`) run on a
// pseudo-terminal in the VM, as `ssh -t` does, with this terminal in raw mode
// (keys such as Ctrl-C and the detach keys reach the program unchanged) and
// its size followed. Anything else keeps plain pipes, so stdout and stderr
// stay apart for redirection.
import { spawnSync } from 'node:child_process';
import type { TermSize } from '../engine/machine/agent-protocol.js';
import { flagBool, parseArgs } from './args.js';
import { verbFor } from './verbs.js';

/** Whether a verb's own command line asks for a terminal (docker's -t; attach follows the container's). */
export function wantsTerminal(argv: readonly string[]): boolean {
  const two = `${argv[0] ?? ''} ${argv[1] ?? ''}`;
  const [name, rest] = argv[0] === 'container' ? [verbFor(two)?.name, argv.slice(2)] : [argv[0], argv.slice(1)];
  if (name === 'attach') return true;
  if (name !== 'run' && name !== 'exec') return false;
  const spec = verbFor(name);
  if (!spec) return false;
  try {
    return flagBool(parseArgs(rest, spec), 'tty');
  } catch {
    // A bad command line: the verb in the VM reports it, on pipes.
    return false;
  }
}

export interface LentTerminal {
  size: TermSize;
  env: Record<string, string>;
  stdin: NodeJS.ReadableStream;
  watchResize: (send: (size: TermSize) => void) => () => void;
  restore(): void;
}

/** This process's terminal in raw mode, or null when stdin or stdout is not one. */
export function lendTerminal(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): LentTerminal | null {
  if (!stdin.isTTY || !stdout.isTTY) return null;
  const size = (): TermSize => ({ rows: stdout.rows || 24, cols: stdout.columns || 80 });
  stdin.setRawMode(true);
  // libuv's raw mode keeps output processing (ONLCR), so the VM's "\r\n" would
  // arrive as "\r\r\n"; the far end's terminal does that already (cfmakeraw(3)
  // clears OPOST, as docker's CLI does). setRawMode(false) puts it back.
  spawnSync('stty', ['-opost'], { stdio: [stdin, 'ignore', 'ignore'] });
  return {
    size: size(),
    env: { TERM: env.TERM || 'xterm' },
    stdin,
    watchResize: (send) => {
      const on = (): void => send(size());
      stdout.on('resize', on);
      return () => stdout.off('resize', on);
    },
    restore: () => stdin.setRawMode(false),
  };
}
