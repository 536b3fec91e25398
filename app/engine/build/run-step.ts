// A RUN step: a rootless container from the parent layers with a fresh
// upper directory, started through Cove's monitor and runtime in the
// foreground; what the command changed is left in the upper directory.
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import type { ImageConfig } from '../archive/image-config.js';
import type { IdMappings } from '../idmap.js';
import { nativeBinary } from '../install-paths.js';
import { errorFromStatus } from '../native-status.js';
import { EngineError } from '../errors.js';
import { resolveRunConfig } from '../container/run-config.js';
import { buildSpec } from '../container/oci-spec.js';
import { hostnameFile, hostsFile, resolvFile } from '../container/etc-files.js';
import { monitorArgv } from '../container/monitor-launcher.js';
import { nofileHardLimit } from '../container/container-support.js';
import { runtimePath } from '../runtimes.js';
import { removeTree } from '../userns.js';

export interface RunStepInput {
  mappings: IdMappings;
  /** A fresh directory for this step (bundle, upper, work); removed by the caller. */
  scratch: string;
  /** Short per-user directory for sockets and runtime state. */
  runtimeDir: string;
  /** Layer diff directories, top first (empty for scratch). */
  lowerDirs: string[];
  config: ImageConfig;
  argv: string[];
  /** Build args in scope, as KEY=VALUE: in the command's environment, not in the image. */
  extraEnv: string[];
  network: 'default' | 'none';
  /** RUN --mount's binds and tmpfs, as `--mount` strings. */
  mounts: string[];
  onOutput(text: string): void;
}

export interface RunStepResult {
  exitCode: number;
  upper: string;
}

/** Runs one RUN command; resolves with its exit code once the container is gone. */
export async function runStep(input: RunStepInput): Promise<RunStepResult> {
  const id = `build-${crypto.randomBytes(12).toString('hex')}`;
  const bundle = path.join(input.scratch, 'bundle');
  const upper = path.join(input.scratch, 'upper');
  const work = path.join(input.scratch, 'work');
  for (const d of [bundle, path.join(bundle, 'rootfs'), upper, work]) await fsp.mkdir(d, { recursive: true, mode: 0o755 });
  let lowers = input.lowerDirs;
  if (lowers.length === 0) {
    // overlayfs needs a lower directory: FROM scratch gets an empty one.
    const empty = path.join(input.scratch, 'empty');
    await fsp.mkdir(empty, { mode: 0o755 });
    lowers = [empty];
  }
  // VOLUME entries must not become volumes while building: the step's writes belong in its layer.
  const config: ImageConfig = { ...input.config, config: { ...(input.config.config ?? {}), Volumes: undefined, Entrypoint: null, Cmd: null } };
  const run = resolveRunConfig(
    {
      image: 'build',
      command: input.argv,
      entrypoint: [],
      env: input.extraEnv,
      network: input.network === 'none' ? 'none' : undefined,
      mounts: input.mounts,
    },
    config,
    id,
    input.lowerDirs,
  );
  run.entrypoint = null;
  const etc = { hosts: path.join(input.scratch, 'hosts'), hostname: path.join(input.scratch, 'hostname'), resolv: path.join(input.scratch, 'resolv.conf') };
  await fsp.writeFile(etc.hosts, hostsFile(run), { mode: 0o644 });
  await fsp.writeFile(etc.hostname, hostnameFile(run), { mode: 0o644 });
  await fsp.writeFile(etc.resolv, resolvFile(run), { mode: 0o644 });
  const spec = buildSpec({
    image: config,
    run,
    lowerDirs: lowers,
    upperDir: upper,
    workDir: work,
    mappings: input.mappings,
    nofileHard: nofileHardLimit(),
    volumePaths: new Map(),
    etcFiles: etc,
    initPath: nativeBinary('cove-init'),
  });
  spec.process.args = input.argv;
  await fsp.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
  const runtimeRoot = path.join(input.runtimeDir, 'runtime', 'cove');
  await fsp.mkdir(runtimeRoot, { recursive: true, mode: 0o700 });
  const sockets = path.join(input.runtimeDir, 'build');
  await fsp.mkdir(sockets, { recursive: true, mode: 0o700 });
  const short = id.slice(6, 18);
  const argv = monitorArgv(
    {
      id,
      runtime: runtimePath('cove'),
      bundle,
      runtimeRoot,
      log: path.join(input.scratch, 'output.log'),
      exitFile: path.join(input.scratch, 'exit.json'),
      pidFile: path.join(input.scratch, 'pid'),
      attachSocket: path.join(sockets, `${short}.attach`),
      stdin: false,
      attachHold: false,
      logMaxBytes: 64 * 1024 * 1024,
      network: run.network === 'slirp4netns' ? { apiSocket: path.join(sockets, `${short}.slirp`), portsFile: path.join(input.scratch, 'ports.json'), publish: [] } : null,
    },
    true,
  );
  const child = spawn(nativeBinary('cove-monitor'), argv, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let status = '';
  let toolErrors = '';
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (status += d.toString()));
  child.stdout?.on('data', (d: Buffer) => input.onOutput(d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    const lines = d.toString().split('\n');
    const own = lines.filter((l) => /^cove-(monitor|runtime): /.test(l));
    toolErrors += own.join('\n');
    const rest = lines.filter((l) => !/^cove-(monitor|runtime): /.test(l)).join('\n');
    if (rest !== '') input.onOutput(rest);
  });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', (err) => reject(new EngineError('E_RUNTIME_MISSING', `cannot run the container monitor (${err.message}); build Cove with: npm run build`)));
    child.on('close', (code, signal) => {
      if (status.trim() !== '') reject(errorFromStatus(status, toolErrors, 'the RUN container failed to start'));
      else resolve(code ?? (signal ? 128 : 1));
    });
  });
  await fsp.rm(path.join(runtimeRoot, id), { recursive: true, force: true }).catch(() => undefined);
  return { exitCode, upper };
}

/** Removes a step's scratch directory (its upper holds files of subordinate ids). */
export async function removeScratch(mappings: IdMappings, scratch: string): Promise<void> {
  await removeTree(mappings, scratch);
}
