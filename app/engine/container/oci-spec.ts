import type { IdMappings } from '../idmap.js';
import type { ImageConfig } from '../archive/image-schemas.js';
import { DEFAULT_CAPABILITIES, DEFAULT_PATH_ENV, MASKED_PATHS, READONLY_PATHS } from './oci-defaults.js';
import { defaultSeccompProfile, type OciSeccomp } from './seccomp-profile.js';

export interface SpecInput {
  id: string;
  hostname: string;
  image: ImageConfig;
  /** Command given on the command line; replaces the image's Cmd. */
  command: string[] | null;
  env: string[];
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  mappings: IdMappings;
  /** The caller's RLIMIT_NOFILE hard limit: a container may not ask for more. */
  nofileHard: number;
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    noNewPrivileges: boolean;
    capabilities: Record<'bounding' | 'effective' | 'permitted', string[]>;
    rlimits: Array<{ type: string; hard: number; soft: number }>;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: Array<{ destination: string; type: string; source: string; options: string[] }>;
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    uidMappings: IdMappings['uid'];
    gidMappings: IdMappings['gid'];
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: OciSeccomp;
  };
}

/** Merges KEY=VALUE lists; later entries replace earlier ones with the same key. */
export function mergeEnv(...lists: string[][]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list) {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      if (eq < 0) {
        // docker: "-e KEY" without a value passes the caller's value through.
        const value = process.env[key];
        if (value !== undefined) map.set(key, `${key}=${value}`);
        continue;
      }
      map.set(key, entry);
    }
  }
  return [...map.values()];
}

/** docker's rule: Entrypoint + (command given ? command : Cmd). */
export function processArgs(image: ImageConfig, command: string[] | null): string[] {
  const entrypoint = image.config?.Entrypoint ?? [];
  const cmd = command && command.length > 0 ? command : (image.config?.Cmd ?? []);
  return [...entrypoint, ...cmd];
}

/** Numeric "uid[:gid]" from the image's User; names need /etc/passwd and come later. */
export function parseUser(user: string | null | undefined): { uid: number; gid: number } | null {
  if (!user) return { uid: 0, gid: 0 };
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!m) return null;
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}

/**
 * The runtime-spec config.json for a container. The rootfs is an overlay
 * mounted by the runtime inside the container's own user and mount
 * namespaces (design.md §3), listed as the first mount at "/".
 */
export function buildSpec(input: SpecInput): OciSpec {
  const user = parseUser(input.image.config?.User) ?? { uid: 0, gid: 0 };
  const env = mergeEnv([DEFAULT_PATH_ENV, `HOSTNAME=${input.hostname}`], input.image.config?.Env ?? [], input.env);
  const caps = [...DEFAULT_CAPABILITIES];
  const nofile = Math.min(1_048_576, input.nofileHard);
  const devpts = ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'];
  // gid 5 (tty) exists inside only when a subordinate range is mapped.
  if (!input.mappings.singleId) devpts.push('gid=5');
  return {
    ociVersion: '1.2.0',
    process: {
      terminal: false,
      user,
      args: processArgs(input.image, input.command),
      env,
      cwd: input.image.config?.WorkingDir || '/',
      noNewPrivileges: true,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }],
    },
    root: { path: 'rootfs', readonly: false },
    hostname: input.hostname,
    mounts: [
      {
        destination: '/',
        type: 'overlay',
        source: 'overlay',
        options: [`lowerdir=${input.lowerDirs.join(':')}`, `upperdir=${input.upperDir}`, `workdir=${input.workDir}`, 'userxattr'],
      },
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: devpts },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ],
    linux: {
      namespaces: [{ type: 'user' }, { type: 'mount' }, { type: 'pid' }, { type: 'uts' }, { type: 'ipc' }, { type: 'network' }],
      uidMappings: input.mappings.uid,
      gidMappings: input.mappings.gid,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      seccomp: defaultSeccompProfile(caps),
    },
  };
}
