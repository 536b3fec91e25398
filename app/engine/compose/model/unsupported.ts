// The one list of the compose keys Cove applies. Anything else the schema
// accepts gets one warning naming it: valid compose, not ignored silently.
import { formatPath, type ModelPath, type RawMap } from './yaml-file.js';

export const SUPPORTED_TOP_LEVEL = ['name', 'include', 'services', 'networks', 'volumes'];

export const SUPPORTED_SERVICE_KEYS = [
  'build', 'cap_add', 'cap_drop', 'command', 'container_name', 'depends_on', 'deploy', 'dns', 'entrypoint', 'env_file',
  'environment', 'expose', 'extends', 'extra_hosts', 'healthcheck', 'hostname', 'image', 'init', 'labels', 'links',
  'logging', 'network_mode', 'networks', 'ports', 'profiles', 'pull_policy', 'read_only', 'restart', 'scale',
  'security_opt', 'stdin_open', 'stop_grace_period', 'stop_signal', 'tmpfs', 'tty', 'user', 'volumes', 'working_dir',
];

const SUPPORTED_NESTED: Record<string, string[]> = {
  build: ['context', 'dockerfile', 'args', 'target', 'labels'],
  deploy: ['replicas', 'mode'],
  healthcheck: ['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable'],
  logging: ['driver', 'options'],
};

const SUPPORTED_NETWORK_KEYS = ['name', 'external', 'internal', 'driver', 'ipam', 'labels', 'enable_ipv4'];
const SUPPORTED_VOLUME_KEYS = ['name', 'external', 'driver', 'labels'];
const LOG_DRIVERS = ['json-file', 'local'];
const NETWORK_DRIVERS = ['bridge', 'default'];

function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unsupported(path: ModelPath, what = 'not supported by Cove, ignored'): string {
  return `${formatPath(path)}: ${what}`;
}

/** Warnings for every key of the merged model Cove does not apply (extensions `x-*` excepted). */
export function unsupportedKeyWarnings(model: RawMap): string[] {
  const out: string[] = [];
  const extra = (map: RawMap, known: string[], at: ModelPath) => {
    for (const k of Object.keys(map)) if (!known.includes(k) && !k.startsWith('x-')) out.push(unsupported([...at, k]));
  };
  extra(model, [...SUPPORTED_TOP_LEVEL, 'version'], []);
  for (const [name, svc] of Object.entries(isMap(model.services) ? model.services : {})) {
    if (!isMap(svc)) continue;
    const at = ['services', name];
    extra(svc, SUPPORTED_SERVICE_KEYS, at);
    for (const [key, known] of Object.entries(SUPPORTED_NESTED)) {
      const sub = svc[key];
      if (isMap(sub)) extra(sub, known, [...at, key]);
    }
    const deploy = svc.deploy;
    if (isMap(deploy) && deploy.mode !== undefined && deploy.mode !== 'replicated') out.push(unsupported([...at, 'deploy', 'mode'], `"${String(deploy.mode)}" is not supported by Cove (replicated only), ignored`));
    const logging = svc.logging;
    if (isMap(logging)) {
      if (logging.driver !== undefined && !LOG_DRIVERS.includes(String(logging.driver))) {
        out.push(unsupported([...at, 'logging', 'driver'], `"${String(logging.driver)}" is not supported by Cove (it keeps json-file logs), ignored`));
      }
      if (isMap(logging.options)) extra(logging.options, ['max-size'], [...at, 'logging', 'options']);
    }
    const links = Array.isArray(svc.links) ? svc.links : [];
    links.forEach((l, i) => {
      if (String(l).includes(':')) out.push(unsupported([...at, 'links', i], `the link alias in "${String(l)}" is not supported by Cove (the service is reachable by its name), ignored`));
    });
    // Long-syntax port keys that only swarm or tooling read: valid, but Cove publishes the same either way.
    // `mode: ingress` is the default that `config` itself prints, so only other values are worth a word.
    (Array.isArray(svc.ports) ? svc.ports : []).forEach((p, i) => {
      if (!isMap(p)) return;
      for (const k of ['mode', 'name', 'app_protocol']) {
        if (p[k] !== undefined && !(k === 'mode' && p[k] === 'ingress')) out.push(unsupported([...at, 'ports', i, k], 'has no effect in Cove, ignored'));
      }
    });
    if (isMap(svc.networks)) {
      for (const [net, cfg] of Object.entries(svc.networks)) if (isMap(cfg)) extra(cfg, ['aliases', 'ipv4_address'], [...at, 'networks', net]);
    }
    if (svc.pull_policy !== undefined && !['always', 'never', 'missing', 'build', 'if_not_present'].includes(String(svc.pull_policy))) {
      out.push(unsupported([...at, 'pull_policy'], `"${String(svc.pull_policy)}" is not supported by Cove, "missing" is used`));
    }
  }
  for (const [name, net] of Object.entries(isMap(model.networks) ? model.networks : {})) {
    if (!isMap(net)) continue;
    const at = ['networks', name];
    extra(net, SUPPORTED_NETWORK_KEYS, at);
    if (net.driver !== undefined && !NETWORK_DRIVERS.includes(String(net.driver))) out.push(unsupported([...at, 'driver'], `"${String(net.driver)}" is not supported by Cove (bridge only), ignored`));
    const ipam = net.ipam;
    if (isMap(ipam)) {
      extra(ipam, ['driver', 'config'], [...at, 'ipam']);
      if (ipam.driver !== undefined && ipam.driver !== 'default') out.push(unsupported([...at, 'ipam', 'driver']));
      const configs = Array.isArray(ipam.config) ? ipam.config : [];
      configs.forEach((c, i) => {
        if (i > 0) out.push(unsupported([...at, 'ipam', 'config', i], 'only the first subnet is used by Cove, ignored'));
        else if (isMap(c)) extra(c, ['subnet', 'gateway'], [...at, 'ipam', 'config', i]);
      });
    }
  }
  for (const [name, vol] of Object.entries(isMap(model.volumes) ? model.volumes : {})) {
    if (!isMap(vol)) continue;
    extra(vol, SUPPORTED_VOLUME_KEYS, ['volumes', name]);
    if (vol.driver !== undefined && vol.driver !== 'local') out.push(unsupported(['volumes', name, 'driver'], `"${String(vol.driver)}" is not supported by Cove (local only), ignored`));
  }
  return out;
}
