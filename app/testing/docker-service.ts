// `cove system service` for a sandbox, and the real docker CLI pointed at it
// (DOCKER_HOST) with a config directory of the test's own.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { CoveSandbox, CliResult } from './harness.js';
import { eventually, runProcess } from './harness.js';

export const DOCKER_CLI = process.env.COVE_DOCKER_CLI ?? '/usr/local/bin/docker';

export interface DockerService {
  socket: string;
  child: ChildProcess;
  env: NodeJS.ProcessEnv;
  docker(args: string[], options?: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  stop(): Promise<void>;
}

export function dockerCliAvailable(): boolean {
  return fs.existsSync(DOCKER_CLI);
}

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
