// `cove info`: docker info's fields (its JSON keys for --format), for what
// Cove is: rootless, no daemon, one store per user.
import fs from 'node:fs';
import { COVE_VERSION } from '../engine/version.js';
import os from 'node:os';
import { cgroupMode } from '../engine/doctor.js';
import { findExecutable } from '../engine/host-tools.js';
import { RUNTIME_NAMES } from '../engine/runtimes.js';
import { flagString, parseArgs, requireArgs } from './args.js';
import type { Command } from './cli-kit.js';
import { renderOne } from './template-output.js';
import { verb } from './verbs.js';

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (m?.[1]) return m[1];
  } catch {
    // no os-release
  }
  return os.type();
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)}GiB`;
}

export const info: Command = async (engine, argv, io) => {
  const spec = verb('info');
  const p = parseArgs(argv, spec);
  requireArgs(p, spec, 0, 0);
  const containers = await engine.call('containers:list', { all: true });
  const images = await engine.call('images:list', {});
  const settings = await engine.call('settings:get', {});
  const cg = cgroupMode();
  const runtimes = RUNTIME_NAMES.filter((r) => r === 'cove' || findExecutable(r) !== null);
  const data = {
    ID: os.hostname(),
    Containers: containers.length,
    ContainersRunning: containers.filter((c) => c.state === 'running').length,
    ContainersPaused: containers.filter((c) => c.state === 'paused').length,
    ContainersStopped: containers.filter((c) => c.state === 'exited' || c.state === 'created').length,
    Images: images.length,
    Driver: 'overlay',
    DriverStatus: [['Backing Filesystem', 'overlayfs in a user namespace (userxattr)']],
    LoggingDriver: 'k8s-file',
    CgroupDriver: cg.mode === 'v2-delegated' ? 'cgroupfs' : 'none',
    CgroupVersion: cg.mode.startsWith('v2') ? '2' : '1',
    KernelVersion: os.release(),
    OperatingSystem: osName(),
    OSType: 'linux',
    Architecture: os.machine(),
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    Name: os.hostname(),
    ServerVersion: COVE_VERSION,
    DockerRootDir: engine.paths.home,
    Runtimes: Object.fromEntries(runtimes.map((r) => [r, { path: r }])),
    DefaultRuntime: settings.runtime,
    SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless'],
    Rootless: true,
    Warnings: cg.mode === 'v2-delegated' ? [] : [`WARNING: ${cg.detail}: no resource limits (--memory, --cpus, --pids-limit)`],
  };
  const format = flagString(p, 'format');
  if (format !== undefined) {
    io.out(renderOne(format, data));
    return 0;
  }
  const lines = [
    'Server:',
    ` Containers: ${data.Containers}`,
    `  Running: ${data.ContainersRunning}`,
    `  Paused: ${data.ContainersPaused}`,
    `  Stopped: ${data.ContainersStopped}`,
    ` Images: ${data.Images}`,
    ` Server Version: cove ${data.ServerVersion} (no daemon: the engine runs in each command)`,
    ` Storage Driver: ${data.Driver}`,
    ...data.DriverStatus.map(([k, v]) => `  ${k}: ${v}`),
    ` Logging Driver: ${data.LoggingDriver}`,
    ` Cgroup Driver: ${data.CgroupDriver}`,
    ` Cgroup Version: ${data.CgroupVersion} (${cg.detail})`,
    ` Runtimes: ${runtimes.join(' ')}`,
    ` Default Runtime: ${data.DefaultRuntime}`,
    ' Security Options:',
    '  seccomp',
    '   Profile: builtin',
    '  rootless',
    ` Kernel Version: ${data.KernelVersion}`,
    ` Operating System: ${data.OperatingSystem}`,
    ` OSType: ${data.OSType}`,
    ` Architecture: ${data.Architecture}`,
    ` CPUs: ${data.NCPU}`,
    ` Total Memory: ${gib(data.MemTotal)}`,
    ` Name: ${data.Name}`,
    ` Cove Root Dir: ${data.DockerRootDir}`,
  ];
  io.out(lines.join('\n') + '\n');
  for (const w of data.Warnings) io.err(w + '\n');
  return 0;
};
