// Merging `-f` files and `extends` bases as compose does (compose-spec "Merge
// and override"; the special cases follow compose-go's override package):
// mappings merge key by key, sequences append, command/entrypoint/
// healthcheck.test are replaced, environment/labels/args merge whatever
// syntax each side used, depends_on/networks merge as mappings, and after a
// merge the sequences with a unique key (ports, volumes, expose, dns, ...)
// keep one entry per key, the later one winning.
import { splitShortVolume } from './volumes.js';
import type { RawMap } from './yaml-file.js';

type Merger = (base: unknown, over: unknown, path: string[]) => unknown;

function matches(path: string[], pattern: string): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
}

function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A list or mapping as `KEY=VALUE` strings (a null value: bare `KEY`). */
export function toSequence(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [value];
  if (isMap(value)) {
    return Object.entries(value)
      .flatMap(([k, v]) => (v === null || v === undefined ? [k] : Array.isArray(v) ? v.map((x) => `${k}=${String(x)}`) : [`${k}=${String(v)}`]))
      .sort();
  }
  return [];
}

function toMapping(value: unknown, dflt?: () => RawMap): RawMap {
  if (isMap(value)) return { ...value };
  const out: RawMap = {};
  if (Array.isArray(value)) for (const k of value) out[String(k)] = dflt ? dflt() : null;
  return out;
}

const sequence: Merger = (b, o) => [...toSequence(b), ...toSequence(o)];
const replace: Merger = (_b, o) => o;
const asMappings =
  (dflt?: () => RawMap): Merger =>
  (b, o, p) =>
    mergeMappings(toMapping(b, dflt), toMapping(o, dflt), p);
const extraHosts: Merger = (b, o) => {
  const base = toSequence(b);
  return [...base, ...toSequence(o).filter((x) => !base.includes(x))];
};
const build: Merger = (b, o, p) => {
  const m = (v: unknown): RawMap => (typeof v === 'string' ? { context: v } : isMap(v) ? { ...v } : {});
  return mergeMappings(m(b), m(o), p);
};
const logging: Merger = (b, o, p) => {
  if (!isMap(b) || !isMap(o)) return o;
  // Options merge only for the same driver (or when one side names none).
  return !('driver' in o) || !('driver' in b) || o.driver === b.driver ? mergeMappings({ ...b }, o, p) : o;
};

const SPECIALS: Array<[string, Merger]> = [
  ['networks.*.labels', sequence],
  ['volumes.*.labels', sequence],
  ['services.*.annotations', sequence],
  ['services.*.build', build],
  ['services.*.build.args', sequence],
  ['services.*.build.labels', sequence],
  ['services.*.build.extra_hosts', extraHosts],
  ['services.*.command', replace],
  ['services.*.entrypoint', replace],
  ['services.*.healthcheck.test', replace],
  ['services.*.depends_on', asMappings(() => ({ condition: 'service_started', required: true }))],
  ['services.*.deploy.labels', sequence],
  ['services.*.dns', sequence],
  ['services.*.dns_opt', sequence],
  ['services.*.dns_search', sequence],
  ['services.*.env_file', sequence],
  ['services.*.environment', sequence],
  ['services.*.extra_hosts', extraHosts],
  ['services.*.labels', sequence],
  ['services.*.logging', logging],
  ['services.*.networks', asMappings()],
  ['services.*.sysctls', sequence],
  ['services.*.tmpfs', sequence],
];

export function mergeYaml(base: unknown, over: unknown, path: string[] = []): unknown {
  for (const [pattern, merger] of SPECIALS) if (matches(path, pattern)) return merger(base, over, path);
  if (over === null || over === undefined) return base;
  if (isMap(base) && isMap(over)) return mergeMappings({ ...base }, over, path);
  if (Array.isArray(base) && Array.isArray(over)) return [...base, ...over];
  return over;
}

function mergeMappings(base: RawMap, over: RawMap, path: string[]): RawMap {
  for (const [k, v] of Object.entries(over)) {
    base[k] = Object.hasOwn(base, k) ? mergeYaml(base[k], v, [...path, k]) : v;
  }
  return base;
}

type Indexer = (entry: unknown) => string;

const keyValue: Indexer = (e) => String(e).split('=')[0] as string;
const volumeTarget: Indexer = (e) => (isMap(e) ? String(e.target) : typeof e === 'string' ? splitShortVolume(e).target : String(e));
const portKey: Indexer = (e) => {
  if (!isMap(e)) return String(e);
  return `${String(e.host_ip ?? '0.0.0.0')}:${String(e.published ?? '')}:${String(e.target)}/${String(e.protocol ?? 'tcp')}`;
};
const envFileKey: Indexer = (e) => (isMap(e) ? String(e.path) : String(e));

const UNIQUE: Array<[string, Indexer]> = [
  ['networks.*.labels', keyValue],
  ['services.*.annotations', keyValue],
  ['services.*.build.args', keyValue],
  ['services.*.build.labels', keyValue],
  ['services.*.cap_add', keyValue],
  ['services.*.cap_drop', keyValue],
  ['services.*.deploy.labels', keyValue],
  ['services.*.dns', keyValue],
  ['services.*.dns_opt', keyValue],
  ['services.*.dns_search', keyValue],
  ['services.*.environment', keyValue],
  ['services.*.env_file', envFileKey],
  ['services.*.expose', (e) => String(e)],
  ['services.*.labels', keyValue],
  ['services.*.links', keyValue],
  ['services.*.networks.*.aliases', keyValue],
  ['services.*.ports', portKey],
  ['services.*.profiles', keyValue],
  ['services.*.sysctls', keyValue],
  ['services.*.tmpfs', keyValue],
  ['services.*.volumes', volumeTarget],
  ['volumes.*.labels', keyValue],
];

/** One entry per unique key in the sequences that have one; a later entry replaces an earlier one in place. */
export function enforceUnicity(value: unknown, path: string[] = []): unknown {
  if (isMap(value)) {
    const out: RawMap = {};
    for (const [k, v] of Object.entries(value)) out[k] = enforceUnicity(v, [...path, k]);
    return out;
  }
  if (Array.isArray(value)) {
    const indexer = UNIQUE.find(([pattern]) => matches(path, pattern))?.[1];
    if (!indexer) return value;
    const seq: unknown[] = [];
    const seen = new Map<string, number>();
    for (const entry of value) {
      const key = indexer(entry);
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, seq.length);
        seq.push(entry);
      } else {
        seq[at] = entry;
      }
    }
    return seq;
  }
  return value;
}
