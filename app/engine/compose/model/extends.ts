// `extends` (compose-spec services "extends"): a service merged over the
// service it names, in the same file or in `file:` (relative to the file
// that says it), resolved recursively; a cycle is an error. Relative paths
// of a base taken from another file are made absolute against that file's
// directory first, so they keep meaning what they meant there.
import path from 'node:path';
import { enforceUnicity, mergeYaml } from './merge.js';
import { isPathSource, splitShortVolume } from './volumes.js';
import { formatPath, invalid, type RawMap } from './yaml-file.js';

export interface ExtendsFile {
  file: string;
  services: RawMap;
  locate(path: Array<string | number>): string | undefined;
}

function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absolutePath(p: unknown, dir: string): unknown {
  return typeof p === 'string' && !p.includes('://') && !p.startsWith('git@') && !p.startsWith('~') ? path.resolve(dir, p) : p;
}

/** A copy of `svc` with its relative build context, env_file, bind sources and extends.file made absolute against `dir`. */
export function resolveServicePaths(svc: RawMap, dir: string): RawMap {
  const out: RawMap = { ...svc };
  if (typeof out.build === 'string') out.build = absolutePath(out.build, dir);
  else if (isMap(out.build) && out.build.context !== undefined) out.build = { ...out.build, context: absolutePath(out.build.context, dir) };
  else if (isMap(out.build)) out.build = { ...out.build, context: dir };
  const envFile = (e: unknown): unknown => (isMap(e) ? { ...e, path: absolutePath(e.path, dir) } : absolutePath(e, dir));
  if (Array.isArray(out.env_file)) out.env_file = out.env_file.map(envFile);
  else if (out.env_file !== undefined) out.env_file = envFile(out.env_file);
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((v) => {
      if (typeof v === 'string') {
        const { source } = splitShortVolume(v);
        return source && source.startsWith('.') && isPathSource(source) ? `${path.resolve(dir, source)}${v.slice(source.length)}` : v;
      }
      if (isMap(v) && v.type === 'bind') return { ...v, source: absolutePath(v.source, dir) };
      return v;
    });
  }
  if (isMap(out.extends) && out.extends.file !== undefined) out.extends = { ...out.extends, file: absolutePath(out.extends.file, dir) };
  return out;
}

/**
 * Every service of `file` with its `extends` chain applied. `load` reads
 * (and interpolates) another compose file.
 */
export function applyExtends(file: ExtendsFile, load: (file: string) => ExtendsFile): RawMap {
  const cache = new Map<string, ExtendsFile>([[file.file, file]]);
  const open = (f: string): ExtendsFile => {
    let got = cache.get(f);
    if (!got) {
      got = load(f);
      cache.set(f, got);
    }
    return got;
  };
  const resolve = (src: ExtendsFile, name: string, chain: string[]): RawMap => {
    const key = `${src.file}#${name}`;
    if (chain.includes(key)) {
      throw invalid(`${src.locate(['services', name, 'extends']) ?? src.file}: extends cycle: ${[...chain, key].map((k) => k.split('#')[1]).join(' -> ')}`);
    }
    const svc = src.services[name];
    if (!isMap(svc)) throw invalid(`${src.file}: service "${name}" not found`);
    if (svc.extends === undefined) return svc;
    const ext = typeof svc.extends === 'string' ? { service: svc.extends } : isMap(svc.extends) ? svc.extends : {};
    const baseName = String(ext.service ?? '');
    let baseFile = src;
    if (ext.file !== undefined) {
      const target = path.resolve(path.dirname(src.file), String(ext.file));
      baseFile = open(target);
    }
    if (!isMap(baseFile.services[baseName])) {
      const at = ['services', name, 'extends'];
      throw invalid(`${src.locate(at) ?? src.file}: ${formatPath(at)}: service "${baseName}" not found in ${baseFile.file}`);
    }
    let base = resolve(baseFile, baseName, [...chain, key]);
    if (baseFile.file !== src.file) base = resolveServicePaths(base, path.dirname(baseFile.file));
    const local = { ...svc };
    delete local.extends;
    const merged = mergeYaml(structuredClone(base), local, ['services', name]) as RawMap;
    return enforceUnicity(merged, ['services', name]) as RawMap;
  };
  const out: RawMap = {};
  for (const name of Object.keys(file.services)) out[name] = isMap(file.services[name]) ? resolve(file, name, []) : file.services[name];
  return out;
}
