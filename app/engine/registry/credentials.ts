import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { EngineError } from '../errors.js';
import { writeJsonAtomic } from '../fs-atomic.js';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string } | undefined>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

const DOCKER_HUB_KEYS = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/'];

/**
 * The auth files, in the order containers-auth.json(5) reads them: the
 * REGISTRY_AUTH_FILE or $XDG_RUNTIME_DIR/containers/auth.json, then
 * $XDG_CONFIG_HOME/containers/auth.json, then docker's config.json.
 */
export function authFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || os.homedir();
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  else if (env.XDG_RUNTIME_DIR) files.push(path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(path.join(configHome, 'containers', 'auth.json'));
  files.push(path.join(env.DOCKER_CONFIG || path.join(home, '.docker'), 'config.json'));
  return files;
}

/** Where `cove login` writes: the first auth file, as podman login does. */
export function loginFile(env: NodeJS.ProcessEnv = process.env): string {
  return authFiles(env)[0] as string;
}

function readAuthFile(file: string): AuthFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const data = JSON.parse(text) as unknown;
    return typeof data === 'object' && data !== null ? (data as AuthFile) : undefined;
  } catch {
    throw new EngineError('E_INVALID_ARGUMENT', `${file} is not valid JSON; fix it or remove it (it holds registry credentials)`);
  }
}

/** Keys an auths map may use for `registry` (docker's legacy URL form included), most specific first. */
function keysFor(registry: string, repository: string): string[] {
  const keys: string[] = [];
  const parts = repository.split('/');
  for (let i = parts.length; i > 0; i--) keys.push(`${registry}/${parts.slice(0, i).join('/')}`);
  keys.push(registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`);
  if (registry === 'docker.io') keys.push(...DOCKER_HUB_KEYS);
  return keys;
}

function decodeAuth(entry: { auth?: string; username?: string; password?: string }): Credentials | undefined {
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** docker-credential-<helper> get: the server on stdin, {Username, Secret} on stdout (docker-credential-helpers protocol). */
export function fromHelper(helper: string, server: string): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn(`docker-credential-${helper}`, ['get'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      if (code !== 0) return resolve(undefined);
      try {
        const data = JSON.parse(out) as { Username?: string; Secret?: string };
        resolve(data.Username && data.Secret ? { username: data.Username, password: data.Secret } : undefined);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin.end(server);
  });
}

/** Credentials for a repository, or undefined for anonymous access. */
export async function findCredentials(registry: string, repository: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const keys = keysFor(registry, repository);
  for (const file of authFiles(env)) {
    const data = readAuthFile(file);
    if (!data) continue;
    const helper = keys.map((k) => data.credHelpers?.[k]).find(Boolean);
    if (helper) {
      const creds = await fromHelper(helper, registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry);
      if (creds) return creds;
    }
    for (const key of keys) {
      const entry = data.auths?.[key];
      const creds = entry ? decodeAuth(entry) : undefined;
      if (creds) return creds;
    }
    if (data.credsStore) {
      const creds = await fromHelper(data.credsStore, registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry);
      if (creds) return creds;
    }
  }
  return undefined;
}

export async function saveCredentials(registry: string, creds: Credentials, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = loginFile(env);
  const data = readAuthFile(file) ?? {};
  data.auths = { ...(data.auths ?? {}), [registry]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeJsonAtomic(file, data);
  return file;
}

/** Removes the registry from every auth file Cove may write; returns whether anything was removed. */
export async function removeCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<{ removed: string[]; elsewhere: string[] }> {
  const removed: string[] = [];
  const elsewhere: string[] = [];
  const keys = registry === 'docker.io' ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`];
  const files = authFiles(env);
  for (const [i, file] of files.entries()) {
    const data = readAuthFile(file);
    if (!data?.auths) continue;
    const present = keys.filter((k) => data.auths?.[k]);
    if (present.length === 0) continue;
    // docker's own config.json is docker's to change: say so instead of rewriting it.
    if (i === files.length - 1) {
      elsewhere.push(file);
      continue;
    }
    for (const k of present) delete data.auths[k];
    await writeJsonAtomic(file, data);
    removed.push(file);
  }
  return { removed, elsewhere };
}
