import type { IdMappings } from '../idmap.js';
import type { ImageConfig } from '../archive/image-schemas.js';
import { DEFAULT_PATH_ENV, MASKED_PATHS, READONLY_PATHS } from './oci-defaults.js';
import { defaultSeccompProfile, renderSeccompProfile, type OciSeccomp } from './seccomp-profile.js';
import type { RunConfig } from './run-config.js';
import { ociResources, type OciResources } from './cgroup-limits.js';

export interface SpecInput {
  image: ImageConfig;
  run: RunConfig;
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  mappings: IdMappings;
  /** The caller's RLIMIT_NOFILE hard limit: a container may not ask for more. */
  nofileHard: number;
  /** Host directory of each volume mount, by target. */
  volumePaths: Map<string, string>;
  /** Generated /etc/hosts, /etc/hostname, /etc/resolv.conf, bind-mounted in. */
  etcFiles: { hosts: string; hostname: string; resolv: string };
  /** cove-init, bind-mounted as PID 1 for --init. */
  initPath: string;
  /** The container's cgroup under the delegated subtree (null: none delegated; limits were refused earlier). */
  cgroupsPath?: string | null;
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    oomScoreAdj?: number;
    args: string[];
    env: string[];
    cwd: string;
    noNewPrivileges: boolean;
    capabilities: Record<'bounding' | 'effective' | 'permitted', string[]>;
    rlimits: Array<{ type: string; hard: number; soft: number }>;
  };
  root: { path: string; readonly: boolean };
  annotations?: Record<string, string>;
  hostname: string;
  mounts: Array<{ destination: string; type: string; source: string; options: string[] }>;
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    uidMappings: IdMappings['uid'];
    gidMappings: IdMappings['gid'];
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: OciSeccomp;
    cgroupsPath?: string;
    resources?: OciResources;
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

/**
 * docker's rule: Entrypoint + (command given ? command : Cmd); an
 * --entrypoint given on the command line also drops the image's Cmd.
 */
export function processArgs(image: ImageConfig, command: string[] | null, entrypoint: string[] | null = null): string[] {
  const ep = entrypoint ?? image.config?.Entrypoint ?? [];
  const cmd = command && command.length > 0 ? command : entrypoint ? [] : (image.config?.Cmd ?? []);
  return [...ep, ...cmd];
}

/**
 * The runtime-spec config.json for a container. The rootfs is an overlay
 * mounted by the runtime inside the container's own user and mount
 * namespaces, listed as the first mount at "/".
 */
export function buildSpec(input: SpecInput): OciSpec {
  const run = input.run;
  // docker sets TERM for -t containers so programs know they have a terminal.
  const env = mergeEnv([DEFAULT_PATH_ENV, `HOSTNAME=${run.hostname}`, ...(run.tty ? ['TERM=xterm'] : [])], input.image.config?.Env ?? [], run.env);
  const caps = run.capabilities;
  const nofile = Math.min(1_048_576, input.nofileHard);
  const devpts = ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'];
  // gid 5 (tty) exists inside only when a subordinate range is mapped.
  if (!input.mappings.singleId) devpts.push('gid=5');
  const args = processArgs(input.image, run.command, run.entrypoint);
  const namespaces: OciSpec['linux']['namespaces'] = [{ type: 'user' }, { type: 'mount' }, { type: 'pid' }, { type: 'uts' }, { type: 'ipc' }];
  // --network host: the host's network namespace (seen through our user namespace, as podman does rootless).
  if (!run.network.startsWith('container:') && run.network !== 'host') namespaces.push({ type: 'network' });
  const mounts: OciSpec['mounts'] = [
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
    { destination: '/etc/hosts', type: 'bind', source: input.etcFiles.hosts, options: ['bind', 'rw', 'nosuid', 'nodev', 'noexec'] },
    { destination: '/etc/hostname', type: 'bind', source: input.etcFiles.hostname, options: ['bind', 'rw', 'nosuid', 'nodev', 'noexec'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: input.etcFiles.resolv, options: ['bind', 'rw', 'nosuid', 'nodev', 'noexec'] },
  ];
  for (const m of run.mounts) {
    if (m.type === 'tmpfs') {
      mounts.push({ destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', ...m.options] });
      continue;
    }
    const source = m.type === 'bind' ? m.source : input.volumePaths.get(m.target);
    if (!source) throw new Error(`no host path for the volume at ${m.target}`);
    mounts.push({ destination: m.target, type: 'bind', source, options: ['rbind', m.readOnly ? 'ro' : 'rw', 'nosuid', 'nodev'] });
  }
  if (run.init) {
    mounts.push({ destination: '/run/cove-init', type: 'bind', source: input.initPath, options: ['bind', 'ro', 'nosuid', 'nodev'] });
  }
  const spec: OciSpec = {
    ociVersion: '1.2.0',
    process: {
      terminal: run.tty,
      user: { uid: run.user.uid, gid: run.user.gid, ...(run.user.additionalGids.length ? { additionalGids: run.user.additionalGids } : {}) },
      args: run.init ? ['/run/cove-init', '--', ...args] : args,
      env,
      cwd: run.workdir ?? (input.image.config?.WorkingDir || '/'),
      noNewPrivileges: run.noNewPrivileges,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }],
    },
    root: { path: 'rootfs', readonly: run.readOnly },
    hostname: run.hostname,
    mounts,
    linux: {
      namespaces,
      uidMappings: input.mappings.uid,
      gidMappings: input.mappings.gid,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
  if (input.cgroupsPath) {
    spec.linux.cgroupsPath = input.cgroupsPath;
    const resources = ociResources(run.resources);
    if (resources) spec.linux.resources = resources;
  }
  if (run.seccomp.kind === 'default') spec.linux.seccomp = defaultSeccompProfile(caps);
  else if (run.seccomp.kind === 'file') spec.linux.seccomp = renderSeccompProfile(run.seccomp.profile, caps);
  return spec;
}
