// Which files make the project, as docker compose v2 finds them: `-f` files
// (relative to the caller's directory), else COMPOSE_FILE (split on
// COMPOSE_PATH_SEPARATOR, default ':'), else the first of the default names
// in the working directory or its nearest parent, plus the override file
// beside it. And the project name, with compose's precedence and rules.
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from './yaml-file.js';

export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const OVERRIDE_FILE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

export interface DiscoveredFiles {
  files: string[];
  warnings: string[];
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function firstIn(dir: string, names: string[], warnings: string[]): string | undefined {
  const found = names.map((n) => path.join(dir, n)).filter(isFile);
  if (found.length > 1) warnings.push(`Found multiple config files with supported names: ${found.join(', ')}; using ${found[0]}`);
  return found[0];
}

export function discoverFiles(opts: { files?: string[]; cwd: string; projectDirectory?: string; environment: Record<string, string> }): DiscoveredFiles {
  const warnings: string[] = [];
  let given = opts.files?.filter((f) => f !== '') ?? [];
  if (given.length === 0 && opts.environment.COMPOSE_FILE) {
    given = opts.environment.COMPOSE_FILE.split(opts.environment.COMPOSE_PATH_SEPARATOR || ':').filter((f) => f !== '');
  }
  if (given.length > 0) {
    const files = given.map((f) => path.resolve(opts.cwd, f));
    for (const f of files) if (!isFile(f)) throw invalid(`compose file ${f} not found`);
    return { files, warnings };
  }
  const start = path.resolve(opts.cwd, opts.projectDirectory ?? '.');
  for (let dir = start; ; dir = path.dirname(dir)) {
    const main = firstIn(dir, DEFAULT_FILE_NAMES, warnings);
    if (main) {
      const override = firstIn(dir, OVERRIDE_FILE_NAMES, warnings);
      return { files: override ? [main, override] : [main], warnings };
    }
    if (path.dirname(dir) === dir) break;
  }
  throw invalid(`no configuration file provided: none of ${DEFAULT_FILE_NAMES.join(', ')} in ${start} or its parents`);
}

/** compose-go NormalizeProjectName: lowercase, keep [a-z0-9_-], no leading '_' or '-'. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

function checked(name: string, from: string): string {
  if (name === '' || normalizeProjectName(name) !== name) {
    throw invalid(`invalid project name "${name}" (${from}): must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`);
  }
  return name;
}

/**
 * Precedence as docker compose documents it: `-p`, then COMPOSE_PROJECT_NAME,
 * then the top-level `name:` (normalised), then the project directory's base
 * name (normalised). Names given explicitly must already be valid.
 */
export function projectName(opts: { flag?: string; envName?: string; fileName?: string; projectDirectory: string }): string {
  if (opts.flag) return checked(opts.flag, '-p');
  if (opts.envName) return checked(opts.envName, 'COMPOSE_PROJECT_NAME');
  const fromFile = opts.fileName ? normalizeProjectName(opts.fileName) : '';
  if (fromFile) return fromFile;
  const fromDir = normalizeProjectName(path.basename(opts.projectDirectory));
  if (!fromDir) throw invalid(`cannot derive a project name from the directory ${opts.projectDirectory}: give one with -p or a top-level name:`);
  return fromDir;
}
