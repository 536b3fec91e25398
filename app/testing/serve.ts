import type { ChildProcess } from 'node:child_process';
import type { CoveSandbox } from './harness.js';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** What it wrote to stderr so far (a crash's stack, for the test's report). */
  stderr(): string;
  /** Ends it with a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `cove serve` against the sandbox's store and waits for its URL: on
 * a random port, or with `stableAddress` on the port and token it used last
 * (what a user gets).
 */
export async function startServe(sb: CoveSandbox, args: string[] = [], options: { stableAddress?: boolean } = {}): Promise<ServeProcess> {
  const child = sb.spawnCove(['serve', ...(options.stableAddress ? [] : ['--port', '0']), ...args]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`cove serve printed no URL; stderr: ${stderr}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cove serve exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, signal);
      await exited;
    },
  };
}
