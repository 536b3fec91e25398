import { EngineError } from './errors.js';

/** A normalised image reference, as docker's distribution/reference parses it. */
export interface ImageReference {
  domain: string;
  path: string;
  tag: string | null;
  digest: string | null;
}

const DEFAULT_DOMAIN = 'docker.io';
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DOMAIN_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[a-fA-F0-9:]+\](?::[0-9]+)?$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

function invalid(input: string, why: string): EngineError {
  return new EngineError('E_INVALID_REFERENCE', `"${input}" is not a valid image reference: ${why}`);
}

/**
 * Parses and normalises like docker: `busybox` -> docker.io/library/busybox:latest;
 * the first component is a registry only if it has a dot or a port or is
 * `localhost` (distribution/reference normalize.go).
 */
export function parseReference(input: string): ImageReference {
  const text = input.trim();
  if (text.length === 0) throw invalid(input, 'it is empty');
  if (text.length > 255 + 128 + 72) throw invalid(input, 'it is too long');
  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw invalid(input, 'the digest must be sha256: followed by 64 lowercase hex digits');
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalid(input, `the tag "${tag}" may use letters, digits, _ . - (at most 128, not starting with . or -)`);
  }
  const parts = rest.split('/');
  let domain = DEFAULT_DOMAIN;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    parts.shift();
    if (!DOMAIN_RE.test(domain)) throw invalid(input, `"${domain}" is not a registry host`);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (parts.length === 0 || parts.some((p) => p.length === 0)) throw invalid(input, 'the repository name is empty');
  for (const part of parts) {
    if (!COMPONENT_RE.test(part)) {
      const hint = part !== part.toLowerCase() ? ' (repository names must be lowercase)' : '';
      throw invalid(input, `"${part}" is not a valid name component${hint}`);
    }
  }
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (path.length > 255) throw invalid(input, 'the repository name is longer than 255 characters');
  if (tag === null && digest === null) tag = 'latest';
  return { domain, path, tag, digest };
}

export function formatReference(ref: ImageReference): string {
  let out = `${ref.domain}/${ref.path}`;
  if (ref.tag !== null) out += `:${ref.tag}`;
  if (ref.digest !== null) out += `@${ref.digest}`;
  return out;
}

export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

/** The short form docker prints: docker.io/library/busybox:latest -> busybox:latest. */
export function familiarReference(normalized: string): string {
  if (normalized.startsWith('docker.io/library/')) return normalized.slice('docker.io/library/'.length);
  if (normalized.startsWith('docker.io/')) return normalized.slice('docker.io/'.length);
  return normalized;
}

/**
 * A name without a registry ("busybox", "org/app:1"): containers' short
 * names, which registries.conf may resolve through aliases and search
 * registries (containers-registries.conf(5), "SHORT-NAME ALIASING").
 */
export function shortNameParts(input: string): { name: string; suffix: string } | null {
  const text = input.trim();
  const at = text.indexOf('@');
  const beforeDigest = at >= 0 ? text.slice(0, at) : text;
  const lastSlash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  const name = colon > lastSlash ? beforeDigest.slice(0, colon) : beforeDigest;
  const suffix = text.slice(name.length);
  const first = name.split('/')[0] ?? '';
  if (name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return null;
  return { name, suffix };
}

/** Candidates for a reference, in order: an alias wins, else each search registry; a qualified name is itself. */
export function expandShortName(input: string, conf: { aliases: Record<string, string>; searchRegistries: string[] }): string[] {
  const parts = shortNameParts(input);
  if (!parts) return [normalizeReference(input)];
  // Validate the whole input once, so a bad tag is reported as such.
  parseReference(input);
  const alias = conf.aliases[parts.name] ?? conf.aliases[`docker.io/${parts.name}`];
  if (alias) return [normalizeReference(alias + parts.suffix)];
  const registries = conf.searchRegistries.length > 0 ? conf.searchRegistries : [DEFAULT_DOMAIN];
  const out: string[] = [];
  for (const registry of registries) {
    const candidate = normalizeReference(`${registry}/${parts.name}${parts.suffix}`);
    if (!out.includes(candidate)) out.push(candidate);
  }
  return out;
}

/** Where a repository lives: the registry host and the path in it. */
export function repositoryOf(normalized: string): { registry: string; repository: string } {
  const ref = parseReference(normalized);
  return { registry: ref.domain, repository: ref.path };
}
