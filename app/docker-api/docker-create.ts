// POST /containers/create: docker's container config and HostConfig turned
// into the same run options the CLI and the run dialog use, so every client
// gets one parser of ports, mounts and policies (run-options in the engine).
import type { HealthcheckConfig, RunOptions } from '../api/contract.js';
import { DockerHttpError } from './docker-http.js';

interface DockerMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
}

export interface DockerCreateBody {
  Image?: string;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  Labels?: Record<string, string> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  StopSignal?: string;
  StopTimeout?: number | null;
  ExposedPorts?: Record<string, unknown> | null;
  Healthcheck?: unknown;
  HostConfig?: {
    Binds?: string[] | null;
    Mounts?: DockerMount[] | null;
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
    PublishAllPorts?: boolean;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
    NetworkMode?: string;
    AutoRemove?: boolean;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    Tmpfs?: Record<string, string> | null;
    Init?: boolean | null;
    ReadonlyRootfs?: boolean;
    ExtraHosts?: string[] | null;
    Dns?: string[] | null;
    Memory?: number;
    NanoCpus?: number;
    PidsLimit?: number | null;
    Runtime?: string;
    LogConfig?: { Type?: string; Config?: Record<string, string> } | null;
  } | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string } | null } | null> | null } | null;
}

const asList = (v: string[] | string | null | undefined): string[] | undefined => (v == null ? undefined : Array.isArray(v) ? v : [v]);

/** docker's HealthConfig (Test, durations in ns, Retries); the engine merges it with the image's. */
function healthcheckOf(raw: unknown): HealthcheckConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const h = raw as Record<string, unknown>;
  if (typeof raw !== 'object' || (h.Test != null && !(Array.isArray(h.Test) && h.Test.every((t) => typeof t === 'string')))) {
    throw new DockerHttpError(400, 'Healthcheck: Test must be a list of strings');
  }
  const out: HealthcheckConfig = { test: (h.Test as string[] | null | undefined) ?? [] };
  const fields = [['Interval', 'intervalNs'], ['Timeout', 'timeoutNs'], ['StartPeriod', 'startPeriodNs'], ['StartInterval', 'startIntervalNs'], ['Retries', 'retries']] as const;
  for (const [from, to] of fields) {
    const v = h[from];
    if (v == null || v === 0) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new DockerHttpError(400, `Healthcheck: ${from} must be a non-negative integer`);
    out[to] = v;
  }
  return out;
}

function portStrings(bindings: NonNullable<NonNullable<DockerCreateBody['HostConfig']>['PortBindings']>): string[] {
  const out: string[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const [port, proto = 'tcp'] = key.split('/');
    const suffix = proto === 'tcp' ? '' : `/${proto}`;
    for (const b of list ?? [{}]) {
      const host = b.HostPort ?? '';
      out.push(b.HostIp ? `${b.HostIp}:${host}:${port}${suffix}` : `${host}:${port}${suffix}`);
    }
  }
  return out;
}

function mountString(m: DockerMount): string {
  if (!m.Target) throw new DockerHttpError(400, 'mount: Target is required');
  const parts = [`type=${m.Type ?? 'volume'}`];
  if (m.Source) parts.push(`source=${m.Source}`);
  parts.push(`target=${m.Target}`);
  if (m.ReadOnly) parts.push('readonly');
  return parts.join(',');
}

function networkOf(mode: string | undefined): string | undefined {
  // docker's "bridge"/"default" is the default network: Cove's is its own default (slirp4netns).
  if (!mode || mode === 'default' || mode === 'bridge') return undefined;
  return mode;
}

export function runOptionsFromCreate(body: DockerCreateBody, name: string | null): RunOptions {
  if (!body.Image) throw new DockerHttpError(400, 'no image was given (Image is empty)');
  const hc = body.HostConfig ?? {};
  const opts: RunOptions = { image: body.Image };
  if (name) opts.name = name.replace(/^\//, '');
  const cmd = asList(body.Cmd);
  if (cmd?.length) opts.command = cmd;
  const entrypoint = asList(body.Entrypoint);
  if (entrypoint) opts.entrypoint = entrypoint;
  if (body.Env?.length) opts.env = body.Env;
  if (body.Labels && Object.keys(body.Labels).length) opts.labels = body.Labels;
  if (body.Tty) opts.tty = true;
  if (body.OpenStdin) opts.interactive = true;
  if (body.WorkingDir) opts.workdir = body.WorkingDir;
  if (body.User) opts.user = body.User;
  if (body.Hostname) opts.hostname = body.Hostname;
  if (body.StopSignal) opts.stopSignal = body.StopSignal;
  if (typeof body.StopTimeout === 'number') opts.stopTimeout = body.StopTimeout;
  const health = healthcheckOf(body.Healthcheck);
  if (health) opts.healthcheck = health;
  if (hc.PortBindings && Object.keys(hc.PortBindings).length) opts.ports = portStrings(hc.PortBindings);
  if (hc.PublishAllPorts) opts.publishAll = true;
  if (hc.Binds?.length) opts.volumes = hc.Binds;
  if (hc.Mounts?.length) opts.mounts = hc.Mounts.map(mountString);
  if (hc.Tmpfs && Object.keys(hc.Tmpfs).length) opts.tmpfs = Object.entries(hc.Tmpfs).map(([p, o]) => (o ? `${p}:${o}` : p));
  const restart = hc.RestartPolicy?.Name;
  if (restart && restart !== 'no') opts.restart = restart === 'on-failure' && hc.RestartPolicy?.MaximumRetryCount ? `on-failure:${hc.RestartPolicy.MaximumRetryCount}` : restart;
  if (hc.AutoRemove) opts.autoRemove = true;
  if (hc.CapAdd?.length) opts.capAdd = hc.CapAdd;
  if (hc.CapDrop?.length) opts.capDrop = hc.CapDrop;
  if (hc.SecurityOpt?.length) opts.securityOpt = hc.SecurityOpt;
  if (hc.Init) opts.init = true;
  if (hc.ReadonlyRootfs) opts.readOnly = true;
  if (hc.ExtraHosts?.length) opts.addHost = hc.ExtraHosts;
  if (hc.Dns?.length) opts.dns = hc.Dns;
  if (hc.Memory) opts.memory = String(hc.Memory);
  if (hc.NanoCpus) opts.cpus = hc.NanoCpus / 1e9;
  if (hc.PidsLimit && hc.PidsLimit > 0) opts.pidsLimit = hc.PidsLimit;
  if (hc.Runtime && hc.Runtime !== 'runc' && hc.Runtime !== '') opts.runtime = hc.Runtime;
  const maxSize = hc.LogConfig?.Config?.['max-size'];
  if (maxSize) opts.logMaxSize = maxSize;
  const network = networkOf(hc.NetworkMode);
  if (network) opts.network = network;
  // compose names the service (and more aliases) for the network it creates the container on.
  const endpoint = network ? body.NetworkingConfig?.EndpointsConfig?.[network] : undefined;
  const aliases = (endpoint?.Aliases ?? []).filter((a) => a && a !== opts.name);
  if (aliases.length) opts.networkAliases = aliases;
  if (endpoint?.IPAMConfig?.IPv4Address) opts.ip = endpoint.IPAMConfig.IPv4Address;
  // docker >= 1.44 (`docker run --network a --network b`) names every network in EndpointsConfig:
  // the first is NetworkMode, the others are joined at create.
  if (network) {
    const extra = Object.entries(body.NetworkingConfig?.EndpointsConfig ?? {}).filter(([name]) => name !== network);
    if (extra.length > 0) {
      opts.extraNetworks = extra.map(([name, ep]) => {
        const more = (ep?.Aliases ?? []).filter((a) => a && a !== opts.name);
        return { name, ...(more.length ? { aliases: more } : {}), ...(ep?.IPAMConfig?.IPv4Address ? { ip: ep.IPAMConfig.IPv4Address } : {}) };
      });
    }
  }
  return opts;
}
