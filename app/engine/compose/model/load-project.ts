// loadComposeProject: compose files to the resolved ComposeProject, in
// compose-go's order - the files found, the environment, the project name,
// then per file (raw-model.ts): interpolate, validate, include, extends,
// merge; then the profiles, normalisation into the model types, and the
// semantic checks. Pure: it reads files and creates nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ComposeLoadOptions, ComposeLoadResult, ComposeNetwork, ComposeProject, ComposeService } from './compose-types.js';
import { checkProject } from './checks.js';
import { discoverFiles, projectName } from './discover.js';
import { readEnvFile } from './env-file.js';
import { interpolateString, type Lookup } from './interpolate.js';
import { loadRawModel } from './raw-model.js';
import { normalizeService } from './service.js';
import { networksOf, volumesOf } from './resources.js';
import { isMap, stringList } from './service-parts.js';
import { unsupportedKeyWarnings } from './unsupported.js';
import { readComposeYaml, type ComposeYamlFile, type ModelPath, type RawMap } from './yaml-file.js';

export interface LoadExtras {
  /** Services named on the command line: their profiles become active (compose-spec "Profiles"). */
  enabledServices?: string[];
}

function projectEnvironment(opts: ComposeLoadOptions, projectDir: string): Record<string, string> {
  const files = opts.envFiles?.length ? opts.envFiles.map((f) => path.resolve(opts.cwd, f)) : [path.join(projectDir, '.env')].filter((f) => fs.existsSync(f));
  const fromFiles: Record<string, string> = {};
  const callerFirst: Lookup = (n) => opts.environment[n] ?? fromFiles[n];
  for (const f of files) Object.assign(fromFiles, readEnvFile(f, callerFirst));
  // The caller's environment wins over the env files, as in compose.
  return { ...fromFiles, ...opts.environment };
}

export async function loadComposeProject(opts: ComposeLoadOptions & LoadExtras): Promise<ComposeLoadResult> {
  const warnings: string[] = [];
  const discovered = discoverFiles(opts);
  warnings.push(...discovered.warnings);
  const configFiles = discovered.files;
  const projectDir = opts.projectDirectory ? path.resolve(opts.cwd, opts.projectDirectory) : path.dirname(configFiles[0] as string);
  const env = projectEnvironment(opts, projectDir);
  const unset = new Set<string>();
  const lookup: Lookup = (n) => env[n];
  const parsed = configFiles.map((f) => readComposeYaml(f));

  let nameInFile: string | undefined;
  for (const y of parsed) {
    if (typeof y.value.name === 'string') nameInFile = interpolateString(y.value.name, { lookup, unset, where: `${y.locate(['name']) ?? y.file}: name` });
  }
  const name = projectName({ flag: opts.projectName, envName: env.COMPOSE_PROJECT_NAME, fileName: nameInFile, projectDirectory: projectDir });
  env.COMPOSE_PROJECT_NAME ??= name;

  const model = loadRawModel(parsed, { env, unset, warnings, including: [] });
  for (const n of [...unset].sort()) warnings.push(`The "${n}" variable is not set. Defaulting to a blank string.`);
  warnings.push(...unsupportedKeyWarnings(model));

  // The last file that holds the whole path made that value; else the deepest part any file has.
  const where = (p: ModelPath): string => {
    const holder = [...parsed].reverse().find((y) => hasPath(y.value, p));
    return (holder ?? (parsed[parsed.length - 1] as ComposeYamlFile)).locate(p) ?? (configFiles[0] as string);
  };

  const rawServices = isMap(model.services) ? model.services : {};
  const active = new Set(opts.profiles?.length ? opts.profiles : stringList(env.COMPOSE_PROFILES?.split(',').filter((p) => p !== '')));
  for (const s of opts.enabledServices ?? []) for (const p of stringList((rawServices[s] as RawMap | undefined)?.profiles)) active.add(p);
  const allServices: Record<string, string[]> = {};
  const enabled: Record<string, RawMap> = {};
  for (const [n, svc] of Object.entries(rawServices)) {
    const raw = isMap(svc) ? svc : {};
    const profiles = stringList(raw.profiles);
    allServices[n] = profiles;
    if (profiles.length === 0 || active.has('*') || profiles.some((p) => active.has(p))) enabled[n] = raw;
  }

  const home = opts.environment.HOME || os.homedir();
  const ctx = { projectDir, home, lookup, where, warn: (m: string) => warnings.push(m) };
  const services: Record<string, ComposeService> = {};
  for (const [n, raw] of Object.entries(enabled)) services[n] = normalizeService(n, raw, ctx);

  const networks: Record<string, ComposeNetwork> = networksOf(name, model.networks);
  const onDefault = Object.values(services).some((s) => 'default' in s.networks);
  if (onDefault && !networks.default) networks.default = { name: `${name}_default`, external: false, internal: false, labels: {} };

  const project: ComposeProject = {
    name,
    workingDir: projectDir,
    configFiles,
    services,
    networks,
    volumes: volumesOf(name, model.volumes),
    extensions: Object.fromEntries(Object.entries(model).filter(([k]) => k.startsWith('x-'))),
  };
  const links = Object.fromEntries(Object.entries(enabled).map(([n, raw]) => [n, stringList(raw.links)]));
  checkProject(project, links, { allServices, where, has: (p) => parsed.some((y) => hasPath(y.value, p)), warn: (m) => warnings.push(m) });
  return { project, warnings };
}

function hasPath(tree: unknown, p: ModelPath): boolean {
  let node: unknown = tree;
  for (const part of p) {
    if (typeof node !== 'object' || node === null || !(String(part) in node)) return false;
    node = (node as Record<string, unknown>)[String(part)];
  }
  return true;
}
