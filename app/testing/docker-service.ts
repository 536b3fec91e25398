// `cove system service` for a sandbox, and the real docker CLI pointed at it
// (DOCKER_HOST) with a config directory of the test's own.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import type { CoveSandbox, CliResult } from './harness.js';
import { busyboxSandbox, eventually, runProcess, started } from './harness.js';

export const DOCKER_CLI = process.env.COVE_DOCKER_CLI ?? '/usr/local/bin/docker';

export interface DockerRunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface DockerService {
  socket: string;
  child: ChildProcess;
  env: NodeJS.ProcessEnv;
  docker(args: string[], options?: DockerRunOptions): Promise<CliResult>;
  stop(): Promise<void>;
}

export function dockerCliAvailable(): boolean {
  return fs.existsSync(DOCKER_CLI);
}

/** Why a docker-CLI test skips on this machine, or false where the CLI is present. */
export const NO_DOCKER_CLI: string | false = dockerCliAvailable() ? false : `no docker CLI at ${DOCKER_CLI} (set COVE_DOCKER_CLI)`;

export async function startDockerService(sb: CoveSandbox, extraArgs: string[] = []): Promise<DockerService> {
  const child = sb.spawnCove(['system', 'service', ...extraArgs]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const socket = path.join(sb.home, 'run', 'docker.sock');
  await eventually(() => fs.existsSync(socket) || child.exitCode !== null, 20_000, 'the docker socket');
  if (child.exitCode !== null) throw new Error(`cove system service exited ${child.exitCode}: ${stderr}`);
  const config = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-docker-config-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false' };
  const docker: DockerService['docker'] = (args, options = {}) => runProcess(DOCKER_CLI, args, { ...options, env: { ...env, ...options.env } }, `docker ${args.join(' ')}`);
  return {
    socket,
    child,
    env,
    docker,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGTERM');
        await exited;
      }
      await fsp.rm(config, { recursive: true, force: true });
    },
  };
}

export interface DockerSuite {
  readonly sb: CoveSandbox;
  readonly svc: DockerService;
  /** `docker ARGS`, which must exit 0: its stdout. */
  ok(args: string[], options?: DockerRunOptions): Promise<string>;
}

/**
 * A busybox sandbox served by `cove system service` for one test file: started before its tests (then
 * `ready`), stopped after them (`cleanup` first, whose failure does not keep the rest from being cleaned).
 * Nothing starts where the docker CLI is missing: the tests skip with NO_DOCKER_CLI.
 */
export function dockerSuite(prefix: string, hooks: { ready?(s: DockerSuite): Promise<void>; cleanup?(s: DockerSuite): Promise<void> } = {}): DockerSuite {
  let sb: CoveSandbox | undefined;
  let svc: DockerService | undefined;
  const suite: DockerSuite = {
    get sb() {
      return started(sb, 'the docker suite');
    },
    get svc() {
      return started(svc, 'the docker suite');
    },
    ok: async (args, options = {}) => {
      const r = await suite.svc.docker(args, options);
      assert.equal(r.code, 0, `docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
  };
  before(async () => {
    if (NO_DOCKER_CLI) return;
    sb = await busyboxSandbox(prefix);
    svc = await startDockerService(sb);
    await hooks.ready?.(suite);
  });
  after(async () => {
    if (svc) await hooks.cleanup?.(suite).catch(() => undefined);
    await svc?.stop();
    await sb?.cleanup();
  });
  return suite;
}
