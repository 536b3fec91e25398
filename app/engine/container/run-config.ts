import fs from 'node:fs';
import path from 'node:path';
import type { RunOptions } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { ImageConfig } from '../archive/image-schemas.js';
import { cgroupMode } from '../doctor.js';
import { effectiveCapabilities } from './capabilities.js';
import { resolveUser, type ResolvedUser } from './image-user.js';
import type { Resources } from './cgroup-limits.js';
import { parseAddHost, parseBytes, parseMount, parsePort, parseRestart, parseTmpfs, parseVolume, type MountSpec, type PortSpec, type RestartPolicy } from './run-options.js';
import { parseSignal } from './signals.js';
import { findHostTool } from '../host-tools.js';
import { effectiveHealthcheck, imageHealthcheck, type EffectiveHealthcheck } from './health-config.js';

export type SeccompChoice = { kind: 'default' } | { kind: 'unconfined' } | { kind: 'file'; profile: unknown };

/** Everything `run` asked for, resolved and validated; stored in container.json. */
export interface RunConfig {
  /** Bytes of log before rotation (the monitor keeps container.log and container.log.1). */
  logMaxBytes: number;
  tty: boolean;
  interactive: boolean;
  command: string[] | null;
  entrypoint: string[] | null;
  env: string[];
  workdir: string | null;
  user: ResolvedUser;
  hostname: string;
  labels: Record<string, string>;
  restart: RestartPolicy;
  stopSignal: string;
  stopTimeout: number;
  init: boolean;
  readOnly: boolean;
  capabilities: string[];
  noNewPrivileges: boolean;
  seccomp: SeccompChoice;
  mounts: MountSpec[];
  ports: PortSpec[];
  /** slirp4netns, none, host, container:<id>, or a user-defined network's name. */
  network: string;
  /** --network-alias and --ip, for a user-defined network. */
  networkAliases?: string[];
  ip?: string | null;
  /** The second and further user-defined networks, in the order given. */
  extraNetworks?: Array<{ network: string; aliases: string[]; ip: string | null }>;
  addHost: Array<{ name: string; ip: string }>;
  dns: string[];
  resources: Resources;
  /** The image's HEALTHCHECK under --health-*; null: none (absent in records from before healthchecks). */
  healthcheck?: EffectiveHealthcheck | null;
}

function securityOpts(opts: string[]): { noNewPrivileges: boolean; seccomp: SeccompChoice } {
  // docker's and podman's default: setuid tools (sudo) work unless the user opts in.
  let noNewPrivileges = false;
  let seccomp: SeccompChoice = { kind: 'default' };
  for (const opt of opts) {
    const [key, value] = opt.includes('=') ? (opt.split(/=(.*)/s, 2) as [string, string]) : (opt.split(/:(.*)/s, 2) as [string, string | undefined]);
    if (key === 'no-new-privileges') {
      if (value === undefined || value === '' || value === 'true') noNewPrivileges = true;
      else if (value === 'false') noNewPrivileges = false;
      else throw new EngineError('E_INVALID_ARGUMENT', `invalid --security-opt ${opt}: no-new-privileges takes true or false`);
    } else if (key === 'seccomp') {
      if (value === 'unconfined') seccomp = { kind: 'unconfined' };
      else if (value) {
        let profile: unknown;
        try {
          profile = JSON.parse(fs.readFileSync(value, 'utf8'));
        } catch (err) {
          throw new EngineError('E_INVALID_ARGUMENT', `cannot use seccomp profile ${value}: ${(err as Error).message}`);
        }
        const p = profile as { defaultAction?: unknown; syscalls?: unknown };
        if (typeof p?.defaultAction !== 'string' || (p.syscalls !== undefined && !Array.isArray(p.syscalls))) {
          throw new EngineError('E_INVALID_ARGUMENT', `seccomp profile ${value} needs a defaultAction and a syscalls list (docker's seccomp profile format)`);
        }
        seccomp = { kind: 'file', profile };
      } else throw new EngineError('E_INVALID_ARGUMENT', `invalid --security-opt ${opt}: use seccomp=unconfined or seccomp=/path/profile.json`);
    } else {
      throw new EngineError('E_INVALID_ARGUMENT', `unsupported --security-opt ${opt}: Cove knows no-new-privileges and seccomp=`);
    }
  }
  return { noNewPrivileges, seccomp };
}

/**
 * docker's default is a network of the container's own; rootless that is
 * slirp4netns, when it is installed and /dev/net/tun is usable (else none,
 * which `cove doctor` explains).
 */
export function defaultNetwork(): string {
  const slirp = findHostTool('slirp4netns') !== null;
  let tun: boolean;
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    tun = true;
  } catch {
    tun = false;
  }
  return slirp && tun ? 'slirp4netns' : 'none';
}

function network(value: string | undefined): string {
  const n = value ?? defaultNetwork();
  if (n === 'none' || n === 'slirp4netns' || n === 'host' || n.startsWith('container:')) return n;
  if (n === 'bridge' || n === 'default') return 'slirp4netns';
  // Any other name is a user-defined network; the engine checks that it exists.
  if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(n)) return n;
  throw new EngineError('E_INVALID_ARGUMENT', `unknown network "${n}": use none, host, slirp4netns (alias bridge), container:<name> or the name of a network from cove network create`);
}

const isUserNet = (n: string): boolean => !['none', 'slirp4netns', 'host'].includes(n) && !n.startsWith('container:');

/** docker 28's rules for several networks: user-defined ones only, each once. */
function extraNetworkList(first: string, extra: NonNullable<RunOptions['extraNetworks']>): NonNullable<RunConfig['extraNetworks']> {
  if (extra.length === 0) return [];
  const all = [first, ...extra.map((e) => network(e.name))];
  if (!all.every(isUserNet)) throw new EngineError('E_INVALID_ARGUMENT', `conflicting options: cannot attach both user-defined and non-user-defined network-modes (${all.join(', ')}); only networks from cove network create can be combined`);
  const seen = new Set<string>();
  for (const n of all) {
    if (seen.has(n)) throw new EngineError('E_INVALID_ARGUMENT', `network "${n}" is specified multiple times`);
    seen.add(n);
  }
  return extra.map((e, i) => ({ network: all[i + 1] as string, aliases: e.aliases ?? [], ip: e.ip ?? null }));
}

/** The image's ExposedPorts ("80/tcp": {}) for -P. */
function exposedPorts(image: ImageConfig): PortSpec[] {
  const exposed = (image.config as { ExposedPorts?: Record<string, unknown> } | null | undefined)?.ExposedPorts ?? {};
  return Object.keys(exposed).map((k) => parsePort(k)).map((p) => ({ ...p, hostPort: 0 }));
}

/** The image's VOLUME entries become anonymous volumes unless a mount already covers them. */
function imageVolumes(image: ImageConfig, mounts: MountSpec[]): MountSpec[] {
  const vols = (image.config as { Volumes?: Record<string, unknown> } | null | undefined)?.Volumes ?? {};
  const covered = new Set(mounts.map((m) => m.target));
  return Object.keys(vols)
    .map((t) => path.posix.normalize(t))
    .filter((t) => t !== '/' && path.posix.isAbsolute(t) && !covered.has(t))
    .map((t): MountSpec => ({ type: 'volume', source: null, target: t, readOnly: false }));
}

export function resolveRunConfig(opts: RunOptions, image: ImageConfig, id: string, layersTopFirst: string[]): RunConfig {
  const mounts = [...(opts.volumes ?? []).map(parseVolume), ...(opts.mounts ?? []).map(parseMount), ...(opts.tmpfs ?? []).map(parseTmpfs)];
  const targets = new Set<string>();
  for (const m of mounts) {
    if (targets.has(m.target)) throw new EngineError('E_INVALID_ARGUMENT', `duplicate mount point ${m.target}`);
    targets.add(m.target);
  }
  for (const m of mounts) {
    if (m.type === 'bind' && !fs.existsSync(m.source)) {
      throw new EngineError('E_INVALID_ARGUMENT', `bind mount source ${m.source} does not exist (docker -v would create it; Cove does not create host paths for you)`);
    }
  }
  mounts.push(...imageVolumes(image, mounts));
  const net = network(opts.network);
  const ports = (opts.ports ?? []).map(parsePort);
  if (opts.publishAll) for (const p of exposedPorts(image)) if (!ports.some((q) => q.containerPort === p.containerPort && q.protocol === p.protocol)) ports.push(p);
  if (ports.length > 0 && net !== 'slirp4netns' && !isUserNet(net)) {
    throw new EngineError('E_INVALID_ARGUMENT', `publishing ports needs a network of its own: use --network slirp4netns or a user-defined network (not ${net})`);
  }
  if ((opts.networkAliases?.length || opts.ip !== undefined) && !isUserNet(net)) {
    throw new EngineError('E_INVALID_ARGUMENT', `--network-alias and --ip work on user-defined networks only (cove network create NAME, then --network NAME)`);
  }
  const extraNetworks = extraNetworkList(net, opts.extraNetworks ?? []);
  const resources: RunConfig['resources'] = {};
  if (opts.memory !== undefined) resources.memory = parseBytes(opts.memory, '--memory');
  if (opts.cpus !== undefined) {
    if (!(opts.cpus > 0)) throw new EngineError('E_INVALID_ARGUMENT', `invalid --cpus ${opts.cpus}: give a positive number like 1.5`);
    resources.cpus = opts.cpus;
  }
  if (opts.pidsLimit !== undefined) resources.pidsLimit = opts.pidsLimit;
  if (opts.memorySwap !== undefined) {
    resources.memorySwap = opts.memorySwap === '-1' ? -1 : parseBytes(opts.memorySwap, '--memory-swap');
    if (resources.memory === undefined) throw new EngineError('E_INVALID_ARGUMENT', '--memory-swap needs --memory (it is memory plus swap)');
    if (resources.memorySwap !== -1 && resources.memorySwap < resources.memory) throw new EngineError('E_INVALID_ARGUMENT', '--memory-swap must be at least --memory (it is memory plus swap)');
  }
  if (opts.cpuShares !== undefined) {
    if (!Number.isInteger(opts.cpuShares) || opts.cpuShares < 2 || opts.cpuShares > 262144) throw new EngineError('E_INVALID_ARGUMENT', `invalid --cpu-shares ${opts.cpuShares}: a whole number from 2 to 262144`);
    resources.cpuShares = opts.cpuShares;
  }
  if (Object.keys(resources).length > 0 && cgroupMode().mode !== 'v2-delegated') {
    throw new EngineError(
      'E_NO_CGROUP_DELEGATION',
      `--memory, --memory-swap, --cpus, --cpu-shares and --pids-limit need cgroup v2 with a delegated subtree, and this machine has ${cgroupMode().detail}. ` +
        'Enable it with: sudo systemctl edit user@.service, add a [Service] section with Delegate=cpu cpuset io memory pids, then log out and in (cove doctor shows the mode)',
    );
  }
  if (opts.workdir !== undefined && !path.posix.isAbsolute(opts.workdir)) throw new EngineError('E_INVALID_ARGUMENT', `the working directory "${opts.workdir}" must be absolute`);
  if (opts.hostname !== undefined && !/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(opts.hostname)) {
    throw new EngineError('E_INVALID_ARGUMENT', `invalid hostname "${opts.hostname}"`);
  }
  for (const d of opts.dns ?? []) if (!/^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+$/.test(d)) throw new EngineError('E_INVALID_ARGUMENT', `invalid --dns ${d}: give an IP address`);
  const stopTimeout = opts.stopTimeout ?? 10;
  if (!Number.isInteger(stopTimeout) || stopTimeout < 0) throw new EngineError('E_INVALID_ARGUMENT', `invalid --stop-timeout ${stopTimeout}`);
  const { noNewPrivileges, seccomp } = securityOpts(opts.securityOpt ?? []);
  const logMaxBytes = opts.logMaxSize === undefined ? 10 * 1024 * 1024 : parseBytes(opts.logMaxSize, 'log max-size');
  if (logMaxBytes < 1024) throw new EngineError('E_INVALID_ARGUMENT', `log max-size ${opts.logMaxSize} is too small: at least 1k`);
  return {
    logMaxBytes,
    tty: opts.tty ?? false,
    interactive: opts.interactive ?? false,
    command: opts.command && opts.command.length > 0 ? opts.command : null,
    entrypoint: opts.entrypoint ?? null,
    env: opts.env ?? [],
    workdir: opts.workdir ?? null,
    user: resolveUser(opts.user ?? image.config?.User, layersTopFirst),
    hostname: opts.hostname ?? id.slice(0, 12),
    labels: { ...((image.config as { Labels?: Record<string, string> } | null | undefined)?.Labels ?? {}), ...(opts.labels ?? {}) },
    restart: parseRestart(opts.restart ?? 'no'),
    stopSignal: parseSignal(opts.stopSignal ?? (image.config as { StopSignal?: string } | null | undefined)?.StopSignal ?? 'TERM'),
    stopTimeout,
    init: opts.init ?? false,
    readOnly: opts.readOnly ?? false,
    capabilities: effectiveCapabilities(opts.capAdd, opts.capDrop),
    noNewPrivileges,
    seccomp,
    mounts,
    ports,
    network: net,
    ...(isUserNet(net) ? { networkAliases: opts.networkAliases ?? [], ip: opts.ip ?? null } : {}),
    ...(extraNetworks.length > 0 ? { extraNetworks } : {}),
    addHost: (opts.addHost ?? []).map(parseAddHost),
    dns: opts.dns ?? [],
    resources,
    healthcheck: effectiveHealthcheck(imageHealthcheck(image.config?.Healthcheck), opts.healthcheck, image.config?.Shell),
  };
}
