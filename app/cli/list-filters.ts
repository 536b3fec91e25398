// `--filter KEY=VALUE` for ps and images, with docker's semantics
// (https://docs.docker.com/reference/cli/docker/container/ls/#filter and
// .../image/ls/#filter): values of one key are alternatives (OR), except
// `label`, whose values must all hold (AND); different keys must all hold.
import type { ContainerSummary, ImageSummary, VolumeSummary } from '../api/contract.js';
import { familiarReference, normalizeReference } from '../engine/reference.js';
import { UsageError } from './args.js';
import { splitReference } from './list-rows.js';

export type Filters = Map<string, string[]>;

export function parseFilters(args: string[], allowed: readonly string[]): Filters {
  const out: Filters = new Map();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value)`, 125);
    const key = a.slice(0, eq).toLowerCase();
    if (!allowed.includes(key)) throw new UsageError(`invalid filter '${key}'`, 1);
    out.set(key, [...(out.get(key) ?? []), a.slice(eq + 1)]);
  }
  return out;
}

/** label=KEY or label=KEY=VALUE, every one of them. */
function labelsMatch(wanted: string[] | undefined, labels: Record<string, string>): boolean {
  return (wanted ?? []).every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return Object.prototype.hasOwnProperty.call(labels, w);
    return labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
export const PS_FILTERS = ['status', 'name', 'label', 'ancestor', 'id', 'exited', 'health'] as const;
/** docker's health filter values: a healthcheck's status, or none for a container without one running. */
export const HEALTH_FILTERS = ['starting', 'healthy', 'unhealthy', 'none'];

/** docker ps shows stopped containers when asked for them by status (or exit code). */
export function psFiltersImplyAll(f: Filters): boolean {
  return f.has('status') || f.has('exited');
}

export function psFilter(f: Filters, imageIdsOf: (ancestor: string) => Set<string>): (c: ContainerSummary) => boolean {
  for (const s of f.get('status') ?? []) {
    if (!STATUSES.includes(s)) throw new UsageError(`invalid filter 'status=${s}'`, 1);
  }
  for (const h of f.get('health') ?? []) {
    if (!HEALTH_FILTERS.includes(h)) throw new UsageError(`Unrecognised filter value for health: ${h}`, 1);
  }
  const exited = (f.get('exited') ?? []).map((e) => {
    const n = Number(e);
    if (!Number.isInteger(n)) throw new UsageError(`invalid filter 'exited=${e}'`, 1);
    return n;
  });
  // name is a regular expression against the name (docker matches /NAME, so ^ anchors at the start of the name).
  const names = (f.get('name') ?? []).map((n) => {
    try {
      return new RegExp(n.replace(/^\^\/?/, '^'));
    } catch {
      throw new UsageError(`invalid filter 'name=${n}': not a regular expression`, 1);
    }
  });
  const ancestors = (f.get('ancestor') ?? []).map(imageIdsOf);
  return (c) => {
    const status = f.get('status');
    if (status && !status.includes(c.state)) return false;
    if (exited.length > 0 && (c.state !== 'exited' || !exited.includes(c.exitCode ?? -1))) return false;
    const ids = f.get('id');
    if (ids && !ids.some((id) => c.id.startsWith(id))) return false;
    if (names.length > 0 && !names.some((re) => re.test(c.name))) return false;
    if (!labelsMatch(f.get('label'), c.labels ?? {})) return false;
    if (ancestors.length > 0 && !ancestors.some((set) => set.has(c.imageId))) return false;
    const health = f.get('health');
    if (health && !health.includes(c.health ?? 'none')) return false;
    return true;
  };
}

/** docker's ancestor: an image by name[:tag], ID or ID prefix. */
export function imageIdsMatching(query: string, images: ImageSummary[]): Set<string> {
  const out = new Set<string>();
  const q = query.replace(/^sha256:/, '');
  let normalized: string | null = null;
  try {
    normalized = normalizeReference(query);
  } catch {
    // not a reference: maybe an ID prefix
  }
  for (const img of images) {
    const hex = img.id.replace(/^sha256:/, '');
    if (/^[0-9a-f]{4,64}$/.test(q) && hex.startsWith(q)) out.add(img.id);
    for (const ref of img.references) {
      let norm: string;
      try {
        norm = normalizeReference(ref);
      } catch {
        continue;
      }
      // Without a tag, ancestor matches any tag of the repository (docker's behaviour).
      const [repo] = splitReference(norm);
      if (norm === normalized || (normalized && !/:[^/]+$/.test(query.split('@')[0] ?? '') && repo === splitReference(normalized)[0])) out.add(img.id);
    }
  }
  return out;
}

export const IMAGE_FILTERS = ['dangling', 'reference', 'label', 'before', 'since'] as const;

/** path.Match-style glob: * and ? do not cross '/'. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** docker's reference filter: a glob against the familiar name:tag, or the repository when the pattern has no tag. */
function referenceMatches(pattern: string, ref: string): boolean {
  const re = globToRegExp(pattern);
  const familiar = familiarReference(ref);
  if (re.test(familiar)) return true;
  const [repo] = splitReference(familiar);
  return re.test(repo);
}

export function imageFilter(
  f: Filters,
  images: ImageSummary[],
  labelsOf: (id: string) => Record<string, string>,
): (img: ImageSummary) => boolean {
  const dangling = f.get('dangling');
  for (const d of dangling ?? []) if (d !== 'true' && d !== 'false' && d !== '1' && d !== '0') throw new UsageError(`invalid filter 'dangling=${d}'`, 1);
  const createdOf = (q: string, key: string): number => {
    const ids = imageIdsMatching(q, images);
    const img = images.find((i) => ids.has(i.id));
    if (!img) throw new UsageError(`invalid filter '${key}=${q}': no such image`, 1);
    return Date.parse(img.createdAt ?? '') || 0;
  };
  const before = (f.get('before') ?? []).map((q) => createdOf(q, 'before'));
  const since = (f.get('since') ?? []).map((q) => createdOf(q, 'since'));
  return (img) => {
    if (dangling) {
      const want = dangling.some((d) => d === 'true' || d === '1');
      if ((img.references.length === 0) !== want) return false;
    }
    const refs = f.get('reference');
    if (refs && !refs.some((p) => img.references.some((r) => referenceMatches(p, r)))) return false;
    if (f.has('label') && !labelsMatch(f.get('label'), labelsOf(img.id))) return false;
    const created = Date.parse(img.createdAt ?? '') || 0;
    if (before.some((t) => created >= t)) return false;
    if (since.some((t) => created <= t)) return false;
    return true;
  };
}

export const VOLUME_FILTERS = ['dangling', 'name', 'label', 'driver'] as const;

/** docker volume ls --filter: dangling (used by no container), name (substring), label, driver. */
export function volumeFilter(f: Filters): (v: VolumeSummary) => boolean {
  for (const d of f.get('dangling') ?? []) if (!['true', 'false', '1', '0'].includes(d)) throw new UsageError(`invalid filter 'dangling=${d}'`, 1);
  return (v) => {
    const dangling = f.get('dangling');
    if (dangling && (v.usedBy.length === 0) !== dangling.some((d) => d === 'true' || d === '1')) return false;
    const names = f.get('name');
    if (names && !names.some((n) => v.name.includes(n))) return false;
    const drivers = f.get('driver');
    if (drivers && !drivers.includes('local')) return false;
    return labelsMatch(f.get('label'), v.labels);
  };
}
