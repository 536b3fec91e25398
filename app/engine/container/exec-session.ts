// An exec whose bytes a server relays (the Docker API's exec start): with a
// tty the runtime runs under a pty of ours (node-pty), whose size we set, and
// relays it to the pty it allocates inside the container; without one its
// stdio are pipes, stdout and stderr kept apart. The caller's own terminal is
// never involved either way.
import { spawn } from 'node:child_process';
import * as pty from 'node-pty';
import { runtimePath } from '../runtimes.js';
import { errorFromStatus } from '../native-status.js';
import { EngineError } from '../errors.js';
import { execArgs, exitStatus, type ExecOptions, type ExecTarget } from './container-process.js';

export interface ExecSession {
  pid: number;
  /** Output; `stream` is 1 for stdout (and a tty), 2 for stderr. */
  onData(listener: (stream: 1 | 2, data: Buffer) => void): void;
  write(data: Buffer): void;
  closeStdin(): void;
  resize(cols: number, rows: number): void;
  /** The process's exit status; a runtime failure (command not found) is reported as 126/127 with its message on stderr. */
  exit: Promise<number>;
}

const EXEC_NOT_FOUND = 127;
const EXEC_CANNOT_INVOKE = 126;

function ptySession(target: ExecTarget, opts: ExecOptions, size: { cols: number; rows: number }): ExecSession {
  const proc = pty.spawn(runtimePath(target.runtime), execArgs(target, opts, false), {
    name: 'xterm',
    encoding: null,
    cols: Math.max(2, size.cols),
    rows: Math.max(1, size.rows),
    env: process.env as Record<string, string>,
  });
  const listeners: Array<(stream: 1 | 2, data: Buffer) => void> = [];
  // With `encoding: null` node-pty emits Buffers, though its typings say string.
  proc.onData((d: string | Buffer) => {
    const buf = typeof d === 'string' ? Buffer.from(d) : d;
    for (const l of listeners) l(1, buf);
  });
  let exited = false;
  const exit = new Promise<number>((resolve) => proc.onExit((e) => ((exited = true), resolve(e.exitCode))));
  return {
    pid: proc.pid,
    onData: (l) => void listeners.push(l),
    write: (d) => void (!exited && proc.write(d)),
    // A tty has no end of input: EOF is the user's ^D, which the client sends as a byte.
    closeStdin: () => undefined,
    resize: (cols, rows) => void (!exited && proc.resize(Math.max(2, Math.floor(cols)), Math.max(1, Math.floor(rows)))),
    exit,
  };
}

function pipeSession(target: ExecTarget, opts: ExecOptions): ExecSession {
  const ours = target.runtime === 'cove';
  const child = spawn(runtimePath(target.runtime), execArgs(target, opts, true), {
    stdio: [opts.interactive ? 'pipe' : 'ignore', 'pipe', 'pipe', ours ? 'pipe' : 'ignore'],
  });
  const listeners: Array<(stream: 1 | 2, data: Buffer) => void> = [];
  const emit = (stream: 1 | 2, data: Buffer): void => {
    for (const l of listeners) l(stream, data);
  };
  let status = '';
  let runtimeErr = '';
  child.stdout?.on('data', (d: Buffer) => emit(1, d));
  child.stderr?.on('data', (d: Buffer) => {
    // The runtime's own failure comes once, as a message; the command's stderr passes through.
    if (ours && d.toString().startsWith('cove-runtime:')) runtimeErr += d.toString();
    else emit(2, d);
  });
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (status += d.toString()));
  child.stdin?.on('error', () => undefined);
  const exit = new Promise<number>((resolve) => {
    child.on('error', (err) => {
      emit(2, Buffer.from(`${err.message}\n`));
      resolve(EXEC_CANNOT_INVOKE);
    });
    child.on('close', (code, signal) => {
      if (status.trim() === '') return resolve(exitStatus(code, signal));
      const err = errorFromStatus(status, runtimeErr, `exec in ${target.name} failed`);
      emit(2, Buffer.from(`${err.message}\n`));
      resolve(err instanceof EngineError && err.code === 'E_RUNTIME_EXEC' ? EXEC_NOT_FOUND : EXEC_CANNOT_INVOKE);
    });
  });
  return {
    pid: child.pid ?? 0,
    onData: (l) => void listeners.push(l),
    write: (d) => void child.stdin?.write(d),
    closeStdin: () => void child.stdin?.end(),
    resize: () => undefined,
    exit,
  };
}

export function startExecSession(target: ExecTarget, opts: ExecOptions, size: { cols: number; rows: number } = { cols: 80, rows: 24 }): ExecSession {
  return opts.tty ? ptySession(target, opts, size) : pipeSession(target, opts);
}
