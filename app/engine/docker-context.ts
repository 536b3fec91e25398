// "Use Cove for docker": a docker CLI context named cove that points at this
// engine's docker.sock, made the current one. Written as the docker CLI
// writes contexts (cli/context/store: contexts/meta/<sha256 of the name>/
// meta.json under the config directory, $DOCKER_CONFIG or ~/.docker; the
// current one is config.json's "currentContext"), so `docker context ls`
// lists it and `docker --context cove` uses it with no docker command run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DockerContextState } from '../api/contract.js';
import { EngineError } from './errors.js';

export const CONTEXT_NAME = 'cove';

/** The docker CLI's config directory: $DOCKER_CONFIG, else ~/.docker (docker's cli/config). */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

function metaDir(configDir: string): string {
  return path.join(configDir, 'contexts', 'meta', crypto.createHash('sha256').update(CONTEXT_NAME).digest('hex'));
}

/** config.json as an object; a missing file is `{}`, a malformed one an error that changes nothing. */
function readConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new EngineError('E_INVALID_ARGUMENT', `${file} is not a JSON object; fix or remove it first (nothing was changed)`);
}

/** Temp file + rename in the same directory, so a reader never sees half a file; a symlinked file is written where it points. */
function writeAtomic(file: string, text: string, mode: number): void {
  const target = fs.existsSync(file) ? fs.realpathSync(file) : file;
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, mode);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
}

function contextHost(configDir: string): string | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(metaDir(configDir), 'meta.json'), 'utf8')) as { Endpoints?: { docker?: { Host?: unknown } } };
    const host = meta.Endpoints?.docker?.Host;
    return typeof host === 'string' ? host : null;
  } catch {
    return null;
  }
}

export function dockerContextState(configDir: string, socket: string): DockerContextState {
  const host = contextHost(configDir);
  let current = false;
  try {
    current = readConfig(path.join(configDir, 'config.json')).currentContext === CONTEXT_NAME;
  } catch {
    // A malformed config.json: docker itself would fail on it; nothing is current.
  }
  return { name: CONTEXT_NAME, configDir, host: `unix://${socket}`, exists: host !== null, ours: host === `unix://${socket}`, current };
}

/** Creates (or points back at this engine) the cove context and makes it docker's current one. */
export function useDockerContext(configDir: string, socket: string): DockerContextState {
  const configFile = path.join(configDir, 'config.json');
  // Read first: a malformed config.json stops everything before anything is written.
  const config = readConfig(configFile);
  const meta = { Name: CONTEXT_NAME, Metadata: { Description: 'Cove (rootless containers)' }, Endpoints: { docker: { Host: `unix://${socket}`, SkipTLSVerify: false } } };
  fs.mkdirSync(metaDir(configDir), { recursive: true, mode: 0o700 });
  writeAtomic(path.join(metaDir(configDir), 'meta.json'), JSON.stringify(meta), 0o600);
  if (config.currentContext !== CONTEXT_NAME) writeAtomic(configFile, `${JSON.stringify({ ...config, currentContext: CONTEXT_NAME }, null, '\t')}\n`, 0o600);
  return dockerContextState(configDir, socket);
}

/** Back to docker's default: the cove context removed, and no longer current. A cove context someone pointed elsewhere is left alone. */
export function stopUsingDockerContext(configDir: string, socket: string): DockerContextState {
  const configFile = path.join(configDir, 'config.json');
  const config = readConfig(configFile);
  const state = dockerContextState(configDir, socket);
  if (state.exists && !state.ours) throw new EngineError('E_INVALID_ARGUMENT', `the docker context ${CONTEXT_NAME} points at ${contextHost(configDir)}, not at this Cove; remove it with docker context rm ${CONTEXT_NAME}`);
  if (config.currentContext === CONTEXT_NAME) {
    const rest = { ...config };
    delete rest.currentContext;
    writeAtomic(configFile, `${JSON.stringify(rest, null, '\t')}\n`, 0o600);
  }
  fs.rmSync(metaDir(configDir), { recursive: true, force: true });
  return dockerContextState(configDir, socket);
}
