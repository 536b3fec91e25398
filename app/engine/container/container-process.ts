// The processes a terminal or a script attaches to: the runtime's `exec`
// and the monitor's attach client. The container never gets our terminal:
// with a tty the runtime allocates a pty in the container and relays it
// (runc's foreground --tty), without one its stdio are pipes we relay
// (TIOCSTI and /dev/tty on the caller's terminal are the attack).
import { spawn } from 'node:child_process';
import { EngineError } from '../errors.js';
import { nativeBinary } from '../install-paths.js';
import { errorFromStatus } from '../native-status.js';
import { runtimePath } from '../runtimes.js';
import { SIGNALS } from './signals.js';

export interface ExecOptions {
  command: string[];
  user?: string;
  cwd?: string;
  env?: string[];
  tty: boolean;
  interactive: boolean;
}

export interface AttachOptions {
  detachKeys?: string;
  noStdin?: boolean;
  sigProxy?: boolean;
  stdinOnce?: boolean;
}

export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? (signal ? 128 + (SIGNALS[signal.replace(/^SIG/, '')] ?? 0) : 1);
}

/**
 * The runtime's `exec`, which joins the user namespace first and re-applies
 * the container's capabilities, no_new_privs, seccomp, user and cwd.
 */
export interface ExecTarget {
  runtime: string;
  runtimeRoot: string;
  id: string;
  name: string;
}

/** The runtime's exec command line (status on fd 3 for Cove's runtime). */
export function execArgs(target: ExecTarget, opts: ExecOptions, withStatusFd: boolean): string[] {
  const args = ['--root', target.runtimeRoot];
  if (withStatusFd && target.runtime === 'cove') args.push('--status-fd', '3');
  args.push('exec');
  if (opts.tty) args.push('--tty');
  if (opts.user) args.push('--user', opts.user);
  if (opts.cwd) args.push('--cwd', opts.cwd);
  // docker's exec sets TERM for -t; the user's own -e TERM=... comes later and wins.
  if (opts.tty && !(opts.env ?? []).some((e) => e.startsWith('TERM='))) args.push('--env', 'TERM=xterm');
  for (const e of opts.env ?? []) args.push('--env', e);
  args.push(target.id, ...opts.command);
  return args;
}

export function runExec(target: ExecTarget, opts: ExecOptions): Promise<number> {
  const ours = target.runtime === 'cove';
  const args = execArgs(target, opts, true);
  const stdin = opts.interactive ? (opts.tty ? 'inherit' : 'pipe') : 'ignore';
  return new Promise((resolve, reject) => {
    const child = spawn(runtimePath(target.runtime), args, {
      stdio: [stdin, opts.tty ? 'inherit' : 'pipe', 'pipe', ours ? 'pipe' : 'ignore'],
    });
    if (child.stdin) {
      process.stdin.pipe(child.stdin);
      child.stdin.on('error', () => process.stdin.unpipe(child.stdin ?? undefined));
    }
    child.stdout?.pipe(process.stdout, { end: false });
    let status = '';
    let stderr = '';
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (status += d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The runtime's own failure is reported once, as an EngineError; the command's stderr passes through.
      if (!ours || !d.toString().startsWith('cove-runtime:')) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (child.stdin) {
        process.stdin.unpipe(child.stdin);
        process.stdin.pause();
      }
      if (status.trim() !== '') reject(errorFromStatus(status, stderr, `exec in ${target.name} failed`));
      else resolve(exitStatus(code, signal));
    });
  });
}

/**
 * native/build/cove-attach on the monitor's socket: raw mode, resizes,
 * detach keys. Resolves with its status: the container's exit code, 0 on
 * detach.
 */
export function runAttachClient(socket: string, options: AttachOptions): Promise<number> {
  const args: string[] = [];
  if (options.detachKeys !== undefined) args.push('--detach-keys', options.detachKeys);
  if (options.noStdin) args.push('--no-stdin');
  if (options.stdinOnce) args.push('--stdin-once');
  if (options.sigProxy) args.push('--sig-proxy');
  args.push(socket);
  return new Promise((resolve, reject) => {
    const child = spawn(nativeBinary('cove-attach'), args, { stdio: 'inherit' });
    child.on('error', (err) => reject(new EngineError('E_RUNTIME_MISSING', `cannot run cove-attach (${err.message}); build Cove with: npm run build`)));
    child.on('close', (code, signal) => resolve(exitStatus(code, signal)));
  });
}
