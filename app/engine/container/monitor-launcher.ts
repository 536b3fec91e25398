import { spawn, type ChildProcess } from 'node:child_process';
import { EngineError } from '../errors.js';
import { nativeBinary } from '../install-paths.js';
import { errorFromStatus } from '../native-status.js';
import { findHostTool } from '../host-tools.js';

export interface MonitorArgs {
  id: string;
  runtime: string;
  bundle: string;
  runtimeRoot: string;
  log: string;
  exitFile: string;
  pidFile: string;
  /** flock(2)ed by the monitor for its life: a new monitor of the container waits for the last one to be gone (a build step's container runs once and needs none). */
  instanceLock?: string;
  /** Run after the exit file is written (conmon's --exit-command): `rm` for `run --rm -d`. */
  exitCommand?: string[];
  /** The monitor's attach socket (always served: `cove attach` may come later). */
  attachSocket: string;
  /** Keep the container's stdin open behind the socket (-i). */
  stdin: boolean;
  /** Keep early output and wait for the first client (run -it / -i). */
  attachHold: boolean;
  logMaxBytes: number;
  /** slirp4netns networking: its API socket, where the final port mappings go, and what to publish. */
  network: { apiSocket: string; portsFile: string; publish: string[] } | null;
  /** User-defined networks: the hook the monitor runs with the created container's pid (cove-net-holder attach). */
  netHook?: string[] | null;
  /** The healthcheck prober's --health-* flags (health-config.ts healthMonitorArgs). */
  health?: string[];
}

export function monitorArgv(a: MonitorArgs, foreground: boolean): string[] {
  const argv = [
    '--runtime', a.runtime,
    '--runtime-root', a.runtimeRoot,
    '--bundle', a.bundle,
    '--id', a.id,
    '--log', a.log,
    '--exit-file', a.exitFile,
    '--pid-file', a.pidFile,
    '--status-fd', '3',
  ];
  if (a.instanceLock) argv.push('--instance-lock', a.instanceLock);
  if (foreground) argv.push('--foreground');
  argv.push('--attach-socket', a.attachSocket, '--log-max-bytes', String(a.logMaxBytes));
  if (a.network) {
    argv.push('--network', 'slirp4netns', '--slirp-api-socket', a.network.apiSocket, '--ports-file', a.network.portsFile);
    // The engine's one lookup (host-tools.ts), so the monitor runs what `cove doctor` reported.
    const slirp = findHostTool('slirp4netns');
    if (slirp) argv.push('--slirp4netns', slirp);
    for (const p of a.network.publish) argv.push('--publish', p);
  }
  const [hook, ...hookArgs] = a.netHook ?? [];
  if (hook) {
    argv.push('--network', 'hook', '--net-hook', hook);
    for (const arg of hookArgs) argv.push('--net-hook-arg', arg);
  }
  if (a.health) argv.push(...a.health);
  if (a.stdin) argv.push('--stdin');
  if (a.attachHold) argv.push('--attach-hold');
  const [cmd, ...args] = a.exitCommand ?? [];
  if (cmd) {
    argv.push('--exit-command', cmd);
    for (const arg of args) argv.push('--exit-command-arg', arg);
  }
  return argv;
}

function collect(child: ChildProcess): { status: () => string; stderr: () => string } {
  let status = '';
  let stderr = '';
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (status += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { status: () => status, stderr: () => stderr };
}

function missing(err: Error): EngineError {
  return new EngineError('E_RUNTIME_MISSING', `cannot run the container monitor (${err.message}); build Cove with: npm run build`);
}

/**
 * Starts the C monitor detached (it outlives Cove, like conmon): it returns once the
 * container runs, and nothing of this Node process stays behind.
 */
export function startDetached(a: MonitorArgs): Promise<void> {
  return new Promise((resolve, reject) => {
    // ELECTRON_RUN_AS_NODE lets an exit command started with Electron's execPath act as node.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    const child = spawn(nativeBinary('cove-monitor'), monitorArgv(a, false), { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env });
    const out = collect(child);
    child.on('error', (err) => reject(missing(err)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(errorFromStatus(out.status(), out.stderr(), 'the container failed to start'));
    });
  });
}

/**
 * Runs the monitor in the foreground: container output is copied to ours
 * as it comes, signals are forwarded, and the exit code is the container's.
 * `started` settles once the container process runs (or failed to).
 */
export function startForeground(a: MonitorArgs, waitForPid: () => Promise<void>): { started: Promise<void>; exitCode: Promise<number> } {
  const child = spawn(nativeBinary('cove-monitor'), monitorArgv(a, true), { stdio: ['ignore', 'inherit', 'pipe', 'pipe'] });
  const out = collect(child);
  // Container stderr passes through; the tools' own failure lines are reported once, as the EngineError.
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString().split('\n').filter((l) => !/^cove-(monitor|runtime): /.test(l)).join('\n');
    if (text !== '') process.stderr.write(text);
  });
  let failed: EngineError | undefined;
  const exitCode = new Promise<number>((resolve, reject) => {
    child.on('error', (err) => reject((failed = missing(err))));
    child.on('close', (code, signal) => {
      if (out.status().trim() !== '') {
        failed = errorFromStatus(out.status(), out.stderr(), 'the container failed to start');
        reject(failed);
        return;
      }
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  const started = Promise.race([waitForPid(), exitCode.then(() => undefined)]);
  return { started, exitCode };
}
