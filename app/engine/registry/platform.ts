import { EngineError } from '../errors.js';
import type { Descriptor } from '../archive/image-schemas.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

// Go's GOARCH names are what indexes use (OCI image-spec image-index.md
// "platform"); uname and Node spell some of them differently.
const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', x64: 'amd64', aarch64: 'arm64', i386: '386', ia32: '386', ppc64: 'ppc64le', armhf: 'arm', armel: 'arm' };

/** containerd's platforms.Normalize: arm64 means v8 and arm means v7 unless said otherwise. */
function defaultVariant(architecture: string): string | undefined {
  if (architecture === 'arm64') return 'v8';
  if (architecture === 'arm') return 'v7';
  return undefined;
}

export function normalizePlatform(p: Platform): Platform {
  const architecture = ARCH_ALIASES[p.architecture] ?? p.architecture;
  const variant = p.variant || defaultVariant(architecture);
  return { os: p.os.toLowerCase(), architecture, ...(variant ? { variant } : {}) };
}

/** `os/arch[/variant]`, as docker's --platform takes it. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) {
    throw new EngineError('E_INVALID_ARGUMENT', `--platform "${text}" is not os/arch[/variant] (e.g. linux/amd64, linux/arm64/v8)`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) });
}

export function hostPlatform(): Platform {
  return normalizePlatform({ os: 'linux', architecture: process.arch });
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * Picks the manifest for `want` from an index. Attestation manifests
 * (buildkit's unknown/unknown entries) never match. An entry without a
 * variant matches any wanted variant, but an exact variant wins.
 */
export function selectPlatform(manifests: readonly Descriptor[], want: Platform): Descriptor {
  const w = normalizePlatform(want);
  let fallback: Descriptor | undefined;
  for (const m of manifests) {
    if (!m.platform) continue;
    if (m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue;
    const p = normalizePlatform(m.platform);
    if (p.os !== w.os || p.architecture !== w.architecture) continue;
    if (p.variant === w.variant) return m;
    if (!m.platform.variant && !fallback) fallback = m;
  }
  if (fallback) return fallback;
  const available = manifests.filter((m) => m.platform && m.platform.os !== 'unknown').map((m) => formatPlatform(m.platform as Platform));
  throw new EngineError(
    'E_PLATFORM_NOT_FOUND',
    `the image has no variant for ${formatPlatform(w)} (it has: ${available.join(', ') || 'none'}); pick one with --platform`,
  );
}
