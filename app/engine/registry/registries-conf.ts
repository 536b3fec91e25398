import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { EngineError } from '../errors.js';

/** What Cove takes from containers-registries.conf(5): search, aliases, insecure and blocked registries. */
export interface RegistriesConf {
  searchRegistries: string[];
  aliases: Record<string, string>;
  registries: RegistryEntry[];
  /** The files that were read, for messages. */
  sources: string[];
}

export interface RegistryEntry {
  prefix: string;
  location: string;
  insecure: boolean;
  blocked: boolean;
}

function configHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
}

function dropIns(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.conf'))
      .sort()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/**
 * The files in the order containers/image reads them: CONTAINERS_REGISTRIES_CONF
 * alone when set; otherwise the user's registries.conf if it exists, else
 * /etc/containers/registries.conf, then the registries.conf.d drop-ins
 * (system, then user), then podman's recorded short-name aliases.
 */
export function registriesConfFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.CONTAINERS_REGISTRIES_CONF) return [env.CONTAINERS_REGISTRIES_CONF];
  const user = path.join(configHome(env), 'containers', 'registries.conf');
  const main = fs.existsSync(user) ? user : '/etc/containers/registries.conf';
  return [
    main,
    ...dropIns('/etc/containers/registries.conf.d'),
    ...dropIns(path.join(configHome(env), 'containers', 'registries.conf.d')),
    path.join(configHome(env), 'containers', 'short-name-aliases.conf'),
  ];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies one file over `conf`: later files override lists and add aliases, as drop-ins do. */
export function mergeRegistriesConf(conf: RegistriesConf, text: string, source: string): void {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw new EngineError('E_INVALID_ARGUMENT', `${source} is not valid TOML: ${(err as Error).message.split('\n')[0]}; fix or remove it`);
  }
  conf.sources.push(source);
  if (Array.isArray(data['unqualified-search-registries'])) conf.searchRegistries = strings(data['unqualified-search-registries']);
  const aliases = data.aliases;
  if (isRecord(aliases)) for (const [k, v] of Object.entries(aliases)) if (typeof v === 'string') conf.aliases[k] = v;
  const entries = data.registry;
  if (Array.isArray(entries)) {
    for (const e of entries) {
      if (!isRecord(e)) continue;
      const location = typeof e.location === 'string' ? e.location : '';
      const prefix = typeof e.prefix === 'string' ? e.prefix : location;
      if (!prefix) continue;
      conf.registries = conf.registries.filter((r) => r.prefix !== prefix);
      conf.registries.push({ prefix, location: location || prefix, insecure: e.insecure === true, blocked: e.blocked === true });
    }
  }
  // Version 1 of the format: [registries.search], [registries.insecure], [registries.block].
  const v1 = data.registries;
  if (isRecord(v1)) {
    const list = (key: string): string[] => (isRecord(v1[key]) ? strings((v1[key] as Record<string, unknown>).registries) : []);
    if (list('search').length > 0) conf.searchRegistries = list('search');
    for (const host of list('insecure')) conf.registries.push({ prefix: host, location: host, insecure: true, blocked: false });
    for (const host of list('block')) conf.registries.push({ prefix: host, location: host, insecure: false, blocked: true });
  }
}

export function loadRegistriesConf(env: NodeJS.ProcessEnv = process.env): RegistriesConf {
  const conf: RegistriesConf = { searchRegistries: [], aliases: {}, registries: [], sources: [] };
  for (const file of registriesConfFiles(env)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    mergeRegistriesConf(conf, text, file);
  }
  return conf;
}

/** The [[registry]] entry whose prefix matches `repo` (registry/path) longest, if any. */
export function registryEntryFor(conf: RegistriesConf, registry: string, repository: string): RegistryEntry | undefined {
  const full = `${registry}/${repository}`;
  let best: RegistryEntry | undefined;
  for (const r of conf.registries) {
    const matches = full === r.prefix || full.startsWith(r.prefix + '/') || registry === r.prefix;
    if (matches && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best;
}

/** Loopback registries may speak plain HTTP without configuration, as docker allows for 127.0.0.0/8. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
