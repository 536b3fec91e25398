// `cove compose config`: the resolved model as YAML in the canonical form
// docker compose v2 prints - name first, services sorted with their keys
// sorted, long syntax for ports and volumes, environment and labels as
// mappings, durations in Go's notation, then networks, volumes and the
// top-level `x-` extensions.
import { stringify } from 'yaml';
import type { ComposeMount, ComposePort, ComposeProject, ComposeService } from './compose-types.js';
import { formatDuration } from './units.js';

type Doc = Record<string, unknown>;

function sorted<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function nonEmpty(doc: Doc, key: string, value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  doc[key] = value;
}

function port(p: ComposePort): Doc {
  const out: Doc = { mode: 'ingress' };
  if (p.hostIp) out.host_ip = p.hostIp;
  out.target = p.target;
  if (p.published !== undefined) out.published = p.published;
  out.protocol = p.protocol;
  return out;
}

function mount(m: ComposeMount): Doc {
  const out: Doc = { type: m.type };
  if (m.source !== undefined) out.source = m.source;
  out.target = m.target;
  if (m.readOnly) out.read_only = true;
  if (m.type === 'bind') out.bind = { create_host_path: m.createHostPath ?? true };
  if (m.type === 'volume') out.volume = {};
  if (m.type === 'tmpfs' && m.tmpfsSize !== undefined) out.tmpfs = { size: m.tmpfsSize };
  return out;
}

function service(s: ComposeService): Doc {
  const d: Doc = {};
  if (s.build) {
    const b: Doc = { context: s.build.context, dockerfile: s.build.dockerfile };
    nonEmpty(b, 'args', sorted(s.build.args));
    nonEmpty(b, 'labels', sorted(s.build.labels));
    if (s.build.target !== undefined) b.target = s.build.target;
    d.build = b;
  }
  nonEmpty(d, 'cap_add', s.capAdd);
  nonEmpty(d, 'cap_drop', s.capDrop);
  if (s.command) d.command = s.command;
  if (s.containerName) d.container_name = s.containerName;
  nonEmpty(
    d,
    'depends_on',
    sorted(Object.fromEntries(Object.entries(s.dependsOn).map(([k, v]) => [k, { condition: v.condition, ...(v.restart ? { restart: true } : {}), required: v.required }]))),
  );
  if (s.replicas !== 1) d.deploy = { replicas: s.replicas };
  nonEmpty(d, 'dns', s.dns);
  if (s.entrypoint) d.entrypoint = s.entrypoint;
  nonEmpty(d, 'environment', sorted(s.environment));
  nonEmpty(d, 'expose', s.expose);
  nonEmpty(d, 'extra_hosts', s.extraHosts);
  if (s.healthcheck) {
    const h = s.healthcheck;
    const hc: Doc = { test: h.test };
    if (h.intervalNs !== undefined) hc.interval = formatDuration(h.intervalNs);
    if (h.timeoutNs !== undefined) hc.timeout = formatDuration(h.timeoutNs);
    if (h.retries !== undefined) hc.retries = h.retries;
    if (h.startPeriodNs !== undefined) hc.start_period = formatDuration(h.startPeriodNs);
    if (h.startIntervalNs !== undefined) hc.start_interval = formatDuration(h.startIntervalNs);
    d.healthcheck = hc;
  }
  if (s.hostname) d.hostname = s.hostname;
  if (s.image) d.image = s.image;
  if (s.init !== undefined) d.init = s.init;
  nonEmpty(d, 'labels', sorted(s.labels));
  if (s.logging) d.logging = { ...(s.logging.driver ? { driver: s.logging.driver } : {}), ...(Object.keys(s.logging.options).length ? { options: s.logging.options } : {}) };
  if (s.networkMode) d.network_mode = s.networkMode;
  nonEmpty(
    d,
    'networks',
    sorted(Object.fromEntries(Object.entries(s.networks).map(([k, v]) => [k, v.aliases.length || v.ipv4Address ? { ...(v.aliases.length ? { aliases: v.aliases } : {}), ...(v.ipv4Address ? { ipv4_address: v.ipv4Address } : {}) } : null]))),
  );
  nonEmpty(d, 'ports', s.ports.map(port));
  nonEmpty(d, 'profiles', s.profiles);
  if (s.pullPolicy) d.pull_policy = s.pullPolicy;
  if (s.readOnly !== undefined) d.read_only = s.readOnly;
  if (s.restart) d.restart = s.restart;
  nonEmpty(d, 'security_opt', s.securityOpt);
  if (s.stdinOpen) d.stdin_open = true;
  if (s.stopGracePeriodSeconds !== undefined) d.stop_grace_period = formatDuration(Math.round(s.stopGracePeriodSeconds * 1e9));
  if (s.stopSignal) d.stop_signal = s.stopSignal;
  nonEmpty(d, 'tmpfs', s.tmpfs);
  if (s.tty) d.tty = true;
  if (s.user) d.user = s.user;
  nonEmpty(d, 'volumes', s.volumes.map(mount));
  if (s.workingDir) d.working_dir = s.workingDir;
  return { ...d, ...sorted(s.extensions) };
}

export function renderComposeConfig(project: ComposeProject): string {
  const doc: Doc = { name: project.name };
  doc.services = sorted(Object.fromEntries(Object.entries(project.services).map(([k, s]) => [k, service(s)])));
  const networks = sorted(
    Object.fromEntries(
      Object.entries(project.networks).map(([k, n]) => {
        const d: Doc = { name: n.name };
        if (n.external) d.external = true;
        if (n.driver) d.driver = n.driver;
        if (n.internal) d.internal = true;
        if (n.subnet || n.gateway) d.ipam = { config: [{ ...(n.subnet ? { subnet: n.subnet } : {}), ...(n.gateway ? { gateway: n.gateway } : {}) }] };
        nonEmpty(d, 'labels', sorted(n.labels));
        return [k, d];
      }),
    ),
  );
  nonEmpty(doc, 'networks', networks);
  const volumes = sorted(
    Object.fromEntries(
      Object.entries(project.volumes).map(([k, v]) => {
        const d: Doc = { name: v.name };
        if (v.external) d.external = true;
        if (v.driver) d.driver = v.driver;
        nonEmpty(d, 'labels', sorted(v.labels));
        return [k, d];
      }),
    ),
  );
  nonEmpty(doc, 'volumes', volumes);
  Object.assign(doc, sorted(project.extensions));
  // aliasDuplicateObjects: false - repeated values print in full, never as &anchors.
  return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}
