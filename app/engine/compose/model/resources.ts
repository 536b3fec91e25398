// Top-level `networks` and `volumes` as ComposeNetwork / ComposeVolume with
// their real names: `name:` if given, else `<project>_<key>`; an external
// one is never prefixed (legacy `external: {name: X}` included).
import type { ComposeNetwork, ComposeVolume } from './compose-types.js';
import { isMap, keyValues, scalar } from './service-parts.js';
import type { RawMap } from './yaml-file.js';

function externalOf(cfg: RawMap): { external: boolean; legacyName?: string } {
  const ext = cfg.external;
  if (isMap(ext)) return { external: true, ...(ext.name !== undefined ? { legacyName: scalar(ext.name) } : {}) };
  return { external: ext === true || ext === 'true' };
}

function realName(project: string, key: string, cfg: RawMap): { name: string; external: boolean } {
  const { external, legacyName } = externalOf(cfg);
  const name = cfg.name !== undefined && cfg.name !== null ? scalar(cfg.name) : legacyName ?? (external ? key : `${project}_${key}`);
  return { name, external };
}

export function networksOf(project: string, raw: unknown): Record<string, ComposeNetwork> {
  const out: Record<string, ComposeNetwork> = {};
  for (const [key, value] of Object.entries(isMap(raw) ? raw : {})) {
    const cfg = isMap(value) ? value : {};
    const net: ComposeNetwork = { ...realName(project, key, cfg), internal: cfg.internal === true || cfg.internal === 'true', labels: keyValues(cfg.labels, () => '') };
    if (cfg.driver !== undefined && cfg.driver !== null) net.driver = scalar(cfg.driver);
    const ipam = isMap(cfg.ipam) ? cfg.ipam : {};
    const first = Array.isArray(ipam.config) && isMap(ipam.config[0]) ? ipam.config[0] : {};
    if (first.subnet !== undefined) net.subnet = scalar(first.subnet);
    if (first.gateway !== undefined) net.gateway = scalar(first.gateway);
    out[key] = net;
  }
  return out;
}

export function volumesOf(project: string, raw: unknown): Record<string, ComposeVolume> {
  const out: Record<string, ComposeVolume> = {};
  for (const [key, value] of Object.entries(isMap(raw) ? raw : {})) {
    const cfg = isMap(value) ? value : {};
    const vol: ComposeVolume = { ...realName(project, key, cfg), labels: keyValues(cfg.labels, () => '') };
    if (cfg.driver !== undefined && cfg.driver !== null) vol.driver = scalar(cfg.driver);
    out[key] = vol;
  }
  return out;
}
