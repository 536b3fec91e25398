// The per-file pipeline, as compose-go runs it for each file in order:
// interpolate, validate against the schema, `include` (compose-spec
// "Include"), `extends`, then merge over the files before it honouring
// `!reset`/`!override`. Returns the merged plain model, not yet normalised.
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readEnvFile } from './env-file.js';
import { applyExtends, resolveServicePaths, type ExtendsFile } from './extends.js';
import { interpolateTree } from './interpolate.js';
import { enforceUnicity, mergeYaml } from './merge.js';
import { validateSchema } from './schema.js';
import { formatPath, invalid, readComposeYaml, type ComposeYamlFile, type ModelPath, type RawMap } from './yaml-file.js';

export interface RawModelContext {
  env: Record<string, string>;
  unset: Set<string>;
  warnings: string[];
  /** Files being included, outermost first (an include cycle is an error). */
  including: string[];
}

function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function removeAt(tree: RawMap, p: ModelPath): void {
  let node: unknown = tree;
  for (const part of p.slice(0, -1)) {
    node = (node as Record<string | number, unknown> | undefined)?.[part];
    if (typeof node !== 'object' || node === null) return;
  }
  const last = p[p.length - 1];
  if (last === undefined) return;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete (node as Record<string, unknown>)[String(last)];
}

function interpolated(y: ComposeYamlFile, ctx: RawModelContext): RawMap {
  const at = (p: ModelPath) => `${y.locate(p) ?? y.file}: ${formatPath(p)}`;
  const value = interpolateTree(y.value, (n) => ctx.env[n], ctx.unset, at) as RawMap;
  validateSchema(value, y.file, y.locate);
  return value;
}

const asExtendsFile = (y: ComposeYamlFile, value: RawMap): ExtendsFile => ({ file: y.file, services: isMap(value.services) ? value.services : {}, locate: y.locate });

const IMPORTED = ['services', 'networks', 'volumes'] as const;

/** Loads each `include` entry as its own project and copies its services, networks and volumes into `value`. */
function applyInclude(value: RawMap, y: ComposeYamlFile, ctx: RawModelContext): void {
  const entries = Array.isArray(value.include) ? value.include : [];
  delete value.include;
  const base = path.dirname(y.file);
  entries.forEach((entry, i) => {
    const e: RawMap = isMap(entry) ? entry : { path: entry };
    const files = (Array.isArray(e.path) ? e.path : [e.path]).map((p) => path.resolve(base, String(p)));
    const projectDir = e.project_directory !== undefined ? path.resolve(base, String(e.project_directory)) : path.dirname(files[0] as string);
    for (const f of files) {
      if (ctx.including.includes(f) || f === y.file) throw invalid(`${y.locate(['include', i]) ?? y.file}: include cycle: ${[...ctx.including, y.file, f].join(' -> ')}`);
    }
    const envFiles = e.env_file === undefined ? [path.join(projectDir, '.env')].filter((f) => fs.existsSync(f)) : (Array.isArray(e.env_file) ? e.env_file : [e.env_file]).map((f) => path.resolve(base, String(f)));
    // The including project's environment wins over the included one's env files.
    const fromFiles: Record<string, string> = {};
    for (const f of envFiles) Object.assign(fromFiles, readEnvFile(f, (n) => ctx.env[n] ?? fromFiles[n]));
    const sub = loadRawModel(files.map((f) => readComposeYaml(f)), { ...ctx, env: { ...fromFiles, ...ctx.env }, including: [...ctx.including, y.file] });
    if (isMap(sub.services)) {
      for (const [name, svc] of Object.entries(sub.services)) if (isMap(svc)) sub.services[name] = resolveServicePaths(svc, projectDir);
    }
    for (const kind of IMPORTED) {
      const from = isMap(sub[kind]) ? sub[kind] : {};
      const into: RawMap = isMap(value[kind]) ? value[kind] : {};
      for (const [name, def] of Object.entries(from)) {
        if (name in into && !isDeepStrictEqual(into[name], def)) {
          throw invalid(`${y.locate(['include', i]) ?? y.file}: ${files.join(', ')} defines ${kind.slice(0, -1)} "${name}", which ${y.file} also defines: an included resource is not merged, rename one`);
        }
        into[name] = def;
      }
      if (Object.keys(into).length > 0) value[kind] = into;
    }
  });
}

export function loadRawModel(parsed: ComposeYamlFile[], ctx: RawModelContext): RawMap {
  let model: RawMap = {};
  for (const y of parsed) {
    const value = interpolated(y, ctx);
    if ('version' in value) {
      ctx.warnings.push(`${y.file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
      delete value.version;
    }
    if (value.include !== undefined) applyInclude(value, y, ctx);
    if (isMap(value.services)) {
      value.services = applyExtends(asExtendsFile(y, value), (f) => {
        const other = readComposeYaml(f);
        return asExtendsFile(other, interpolated(other, ctx));
      });
    }
    for (const p of y.resets) {
      removeAt(model, p);
      removeAt(value, p);
    }
    for (const p of y.overrides) removeAt(model, p);
    model = enforceUnicity(mergeYaml(model, value)) as RawMap;
  }
  return model;
}
