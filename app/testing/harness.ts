// Shared by the rootless integration tests and the e2e specs: a private
// COVE_HOME per test, the real CLI as a child process, and a cleanup that
// proves nothing was left behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { installPaths, nativeBinary } from '../engine/install-paths.js';
import { currentIdMappings, mappingArg } from '../engine/idmap.js';
import { buildStandardFixtures } from './image-fixtures.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CoveSandbox {
  home: string;
  env: NodeJS.ProcessEnv;
  cove(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<CliResult>;
  spawnCove(args: string[]): ChildProcess;
  /** Removes every container and the store; fails if subordinate-owned files survive. */
  cleanup(): Promise<void>;
}

let fixturesPromise: ReturnType<typeof buildStandardFixtures> | undefined;

export function fixtures(): ReturnType<typeof buildStandardFixtures> {
  const dir = process.env.COVE_FIXTURES_DIR ?? path.join(os.tmpdir(), `cove-fixtures-${process.getuid?.()}`);
  fixturesPromise ??= buildStandardFixtures(dir);
  return fixturesPromise;
}

export function cliPath(): string {
  return path.join(installPaths().distDir, 'cove.cjs');
}

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

/** Runs a command to its end with piped stdio: its exit code and output (a timeout kills it and fails). */
export function runProcess(file: string, args: string[], options: ProcessOptions = {}, what = `${file} ${args.join(' ')}`): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, ...(options.cwd ? { cwd: options.cwd } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} timed out; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function createSandbox(prefix = 'cove-it-'): Promise<CoveSandbox> {
  const home = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = { ...process.env, COVE_HOME: home };
  const cove = (args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> =>
    runProcess(process.execPath, [cliPath(), ...args], { env, ...options }, `cove ${args.join(' ')}`);
  const spawnCove = (args: string[]): ChildProcess => spawn(process.execPath, [cliPath(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const cleanup = async (): Promise<void> => {
    const ids = (await cove(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await cove(['rm', '-f', ...ids]);
    const leftovers = subidOwnedFiles(home);
    const m = currentIdMappings();
    spawnSync(nativeBinary('cove-unshare'), ['--uid-map', mappingArg(m.uid), '--gid-map', mappingArg(m.gid), '--', 'rm', '-rf', home]);
    if (fs.existsSync(home)) fs.rmSync(home, { recursive: true, force: true });
    if (leftovers.length > 0 && ids.length > 0) throw new Error(`files owned by subordinate ids survived container removal: ${leftovers.slice(0, 5).join(', ')}`);
  };
  return { home, env, cove, spawnCove, cleanup };
}

/** Files under `dir` outside the layer store owned by an id other than ours (i.e. a subordinate id). */
export function subidOwnedFiles(dir: string, skip: (p: string) => boolean = (p) => p.includes(`${path.sep}layers${path.sep}`)): string[] {
  const me = process.getuid?.() ?? 0;
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      out.push(d + ' (unreadable)');
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (skip(p)) continue;
      const st = fs.lstatSync(p);
      if (st.uid !== me) out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

export function subuidStart(): number {
  const m = currentIdMappings();
  return m.uid[1]?.hostID ?? -1;
}

/** Polls until `fn` returns a truthy value or the time is up. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A sandbox with the busybox fixture already loaded: the start of most rootless suites. */
export async function busyboxSandbox(prefix?: string): Promise<CoveSandbox> {
  const sb = await createSandbox(prefix);
  const fx = await fixtures();
  const r = await sb.cove(['load', '-q', '-i', fx.busyboxDocker]);
  if (r.code !== 0) throw new Error(`loading the busybox fixture failed: ${r.stderr}`);
  return sb;
}

/** Runs the CLI and returns its stdout, failing with its stderr when it exits non-zero. */
export function okRunner(sb: () => CoveSandbox): (args: string[]) => Promise<string> {
  return async (args) => {
    const r = await sb().cove(args);
    if (r.code !== 0) throw new Error(`cove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
}

/** A free TCP port on 127.0.0.1 (bound to 0 and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A value a suite's `before` sets: read in a test, it is there, or the suite did not start (`what` says which). */
export function started<T>(value: T | undefined, what: string): T {
  assert.ok(value, `${what} has not started`);
  return value;
}
