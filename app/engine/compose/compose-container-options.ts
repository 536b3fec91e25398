// A compose service as Cove's run options: the same translation docker
// compose makes into a container create request (pkg/compose/create.go).
import fs from 'node:fs';
import type { NetworkAttachment, RunOptions } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { containerLabels } from './compose-labels.js';
import type { ComposeMount, ComposePort, ComposeProject, ComposeService } from './model/compose-types.js';

export interface ContainerPlan {
  run: RunOptions;
}

export function portSpec(p: ComposePort): string {
  const host = p.published ?? '';
  if (host.includes('-')) {
    const [a, b] = host.split('-');
    if (a !== b) throw new EngineError('E_COMPOSE_INVALID', `published port range ${host} is not supported by Cove: publish each port`);
  }
  const published = host.split('-')[0] ?? '';
  const ip = p.hostIp ? (p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp) : '';
  const prefix = ip ? `${ip}:${published}:` : published ? `${published}:` : '';
  return `${prefix}${p.target}/${p.protocol}`;
}

function mountSpec(project: ComposeProject, m: ComposeMount): string {
  const ro = m.readOnly ? ',readonly' : '';
  switch (m.type) {
    case 'volume': {
      if (!m.source) return `type=volume,target=${m.target}${ro}`;
      const v = project.volumes[m.source];
      if (!v) throw new EngineError('E_COMPOSE_INVALID', `service volume refers to undefined volume "${m.source}"`);
      return `type=volume,source=${v.name},target=${m.target}${ro}`;
    }
    case 'bind':
      return `type=bind,source=${m.source ?? ''},target=${m.target}${ro}`;
    case 'tmpfs':
      return `type=tmpfs,target=${m.target}${m.tmpfsSize ? `,tmpfs-size=${m.tmpfsSize}` : ''}`;
  }
}

/** Bind sources compose creates when missing (short syntax, or `create_host_path`). */
export function createBindSources(service: ComposeService): void {
  for (const m of service.volumes) {
    if (m.type === 'bind' && m.source && m.createHostPath !== false && !fs.existsSync(m.source)) fs.mkdirSync(m.source, { recursive: true });
  }
}

/** The service's networks, the first one (by name, `default` first) given at create. */
export function serviceNetworks(project: ComposeProject, service: ComposeService): Array<[string, { aliases: string[]; ipv4Address?: string }]> {
  return Object.entries(service.networks).sort(([a], [b]) => (a === 'default' ? -1 : b === 'default' ? 1 : a < b ? -1 : a > b ? 1 : 0)).map(([key, n]) => {
    if (!project.networks[key]) throw new EngineError('E_COMPOSE_INVALID', `service "${service.name}" refers to undefined network ${key}`);
    return [key, n];
  });
}

export interface PlanInput {
  project: ComposeProject;
  service: ComposeService;
  number: number;
  name: string;
  image: string;
  imageId: string;
  oneoff?: boolean;
  /** network_mode service:NAME resolved to a container of that service. */
  serviceContainer?: (service: string) => string;
  publishPorts?: boolean;
}

export function containerPlan(input: PlanInput): ContainerPlan {
  const { project, service: s, name } = input;
  const run: RunOptions = {
    image: input.image,
    name,
    env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    labels: containerLabels(project, s, input.number, input.oneoff ?? false, input.imageId),
    mounts: s.volumes.map((m) => mountSpec(project, m)),
  };
  if (s.command) run.command = s.command;
  if (s.entrypoint) run.entrypoint = s.entrypoint;
  if (input.publishPorts !== false && s.ports.length > 0) run.ports = s.ports.map(portSpec);
  if (s.restart && s.restart !== 'no') run.restart = s.restart;
  if (s.workingDir) run.workdir = s.workingDir;
  if (s.user) run.user = s.user;
  if (s.hostname) run.hostname = s.hostname;
  if (s.init) run.init = true;
  if (s.readOnly) run.readOnly = true;
  if (s.capAdd.length) run.capAdd = s.capAdd;
  if (s.capDrop.length) run.capDrop = s.capDrop;
  if (s.securityOpt.length) run.securityOpt = s.securityOpt;
  if (s.tmpfs.length) run.tmpfs = s.tmpfs;
  if (s.stopSignal) run.stopSignal = s.stopSignal;
  if (s.stopGracePeriodSeconds !== undefined) run.stopTimeout = s.stopGracePeriodSeconds;
  if (s.extraHosts.length) run.addHost = s.extraHosts;
  if (s.dns.length) run.dns = s.dns;
  if (s.tty) run.tty = true;
  if (s.stdinOpen) run.interactive = true;
  const maxSize = s.logging?.options['max-size'];
  if (maxSize) run.logMaxSize = maxSize;
  if (s.healthcheck) run.healthcheck = s.healthcheck;
  const extraNetworks: NetworkAttachment[] = [];
  if (s.networkMode) {
    const mode = s.networkMode;
    run.network = mode.startsWith('service:') && input.serviceContainer ? `container:${input.serviceContainer(mode.slice('service:'.length))}` : mode;
  } else {
    // Each container answers to its service name and its own name on every
    // project network, as docker compose sets EndpointSettings.Aliases.
    for (const [i, [key, n]] of serviceNetworks(project, s).entries()) {
      const network = (project.networks[key] as { name: string }).name;
      // A one-off (`compose run`) container does not answer to the service name, as compose's run without --use-aliases.
      const aliases = [...new Set([...(input.oneoff ? [] : [s.name]), name, ...n.aliases])];
      if (i === 0) {
        run.network = network;
        run.networkAliases = aliases;
        if (n.ipv4Address) run.ip = n.ipv4Address;
      } else extraNetworks.push({ name: network, aliases, ...(n.ipv4Address ? { ip: n.ipv4Address } : {}) });
    }
  }
  if (extraNetworks.length > 0) run.extraNetworks = extraNetworks;
  return { run };
}
