// A terminal session: node-pty running a Cove command:
// `cove exec -it <id> <shell>` or `cove attach <id>`. Resize goes
// through the pty, so the program inside sees SIGWINCH and `stty size`
// follows. Kept free of Electron so it runs (and is tested) in plain Node
// and in web mode (app/server) alike; Electron main uses the same class.
import * as pty from 'node-pty';

export type TerminalMode = 'exec' | 'attach';

export interface PtySessionOptions {
  /** How to run the CLI, e.g. [process.execPath, '/path/dist/cove.cjs']. */
  cli: string[];
  mode: TerminalMode;
  container: string;
  cols: number;
  rows: number;
  env?: NodeJS.ProcessEnv;
}

/** The first of bash and sh the image has (docker desktop's "open in terminal" does the same). */
export const SHELL_PICKER = 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi';

export function terminalArgs(mode: TerminalMode, container: string): string[] {
  return mode === 'exec' ? ['exec', '-it', container, 'sh', '-c', SHELL_PICKER] : ['attach', container];
}

export class PtySession {
  private readonly proc: pty.IPty;
  private exited = false;

  constructor(options: PtySessionOptions) {
    const [file, ...pre] = options.cli;
    if (!file) throw new Error('PtySession needs the CLI command');
    this.proc = pty.spawn(file, [...pre, ...terminalArgs(options.mode, options.container)], {
      name: 'xterm-256color',
      // Bytes, not strings: no UTF-8 decode here and encode again for the wire.
      encoding: null,
      cols: options.cols,
      rows: options.rows,
      env: { ...(options.env ?? process.env), TERM: 'xterm-256color' } as Record<string, string>,
    });
    this.proc.onExit(() => {
      this.exited = true;
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    // With `encoding: null` node-pty emits Buffers, though its typings say string.
    const d = this.proc.onData((data: string | Buffer) => listener(typeof data === 'string' ? Buffer.from(data) : data));
    return () => d.dispose();
  }

  onExit(listener: (code: number) => void): () => void {
    const d = this.proc.onExit((e) => listener(e.exitCode));
    return () => d.dispose();
  }

  write(data: string | Uint8Array): void {
    if (!this.exited) this.proc.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  resize(cols: number, rows: number): void {
    if (!this.exited) this.proc.resize(Math.max(2, Math.floor(cols)), Math.max(1, Math.floor(rows)));
  }

  /** Flow control: stop reading from the pty while the consumer catches up. */
  pause(): void {
    this.proc.pause();
  }

  resume(): void {
    this.proc.resume();
  }

  close(): void {
    if (!this.exited) this.proc.kill('SIGHUP');
  }
}
