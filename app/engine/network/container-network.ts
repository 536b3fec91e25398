import net from 'node:net';
import { EngineError } from '../errors.js';
import { readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import type { PortSpec } from '../container/run-options.js';
import type { IdMappings } from '../idmap.js';
import { isUserNetwork, type NetworkService } from './network-service.js';
import type { NetHolder } from './net-holder.js';

interface OciHook {
  path: string;
  args?: string[];
  timeout?: number;
}

export interface SpecLike {
  linux: { namespaces: Array<{ type: string; path?: string }>; uidMappings?: unknown; gidMappings?: unknown };
  hooks?: { createContainer?: OciHook[] } & Record<string, unknown>;
}

/** docker -p with no host port: a free one now (the holder's slirp4netns binds it a moment later). */
function freePort(p: PortSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    if (p.protocol === 'udp') {
      void import('node:dgram').then(({ createSocket }) => {
        const s = createSocket('udp4');
        s.on('error', reject);
        s.bind(0, p.hostIp || '0.0.0.0', () => {
          const port = s.address().port;
          s.close(() => resolve(port));
        });
      }, reject);
      return;
    }
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, p.hostIp || '0.0.0.0', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The container joins the user namespace behind the holder's link
 * (net-holder.userns, which follows the holder of the moment) instead of
 * making one. Cove's runtime takes the path alone (mappings beside a path
 * are refused: nothing is written to a joined namespace's maps). runc
 * 1.1 (libcontainer/specconv, HostRootUID) refuses a user namespace
 * without mappings, joined or not, and a rootless runc needs them for its
 * checks; it only writes them for a namespace it makes, so for runc and
 * crun the spec keeps the mappings the holder's namespace was made with
 * (every container's). True when the spec changed.
 */
export function joinHolderUserns(spec: SpecLike, link: string, mappings: Pick<IdMappings, 'uid' | 'gid'> | null): boolean {
  const user = spec.linux.namespaces.find((n) => n.type === 'user');
  const want = mappings ? { uid: JSON.stringify(mappings.uid), gid: JSON.stringify(mappings.gid) } : null;
  const has = { uid: spec.linux.uidMappings === undefined ? undefined : JSON.stringify(spec.linux.uidMappings), gid: spec.linux.gidMappings === undefined ? undefined : JSON.stringify(spec.linux.gidMappings) };
  if (user?.path === link && has.uid === want?.uid && has.gid === want?.gid) return false;
  spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'user');
  spec.linux.namespaces.unshift({ type: 'user', path: link });
  if (mappings) {
    spec.linux.uidMappings = mappings.uid;
    spec.linux.gidMappings = mappings.gid;
  } else {
    delete spec.linux.uidMappings;
    delete spec.linux.gidMappings;
  }
  return true;
}

/**
 * runc and crun: the holder attaches the container from an OCI
 * createContainer hook (`cove-net-holder attach-self`), which runs in the
 * container's namespaces before pivot_root and sends the holder its
 * network namespace as an fd. The monitor's hook cannot be used: runc's
 * init is not dumpable while it joins namespaces by path (runc
 * libcontainer/nsexec/nsexec.c), so /proc/PID/ns/net of a created runc
 * container is closed to the holder until the container's process execs.
 * True when the spec changed.
 */
export function attachHookFor(spec: SpecLike, hookArgv: string[] | null): boolean {
  const [path, ...rest] = hookArgv ?? [];
  const others = (spec.hooks?.createContainer ?? []).filter((h) => !(h.args?.[1] === 'attach-self' && /cove-net-holder$/.test(h.path)));
  const want = path ? [...others, { path, args: [path, ...rest], timeout: 20 }] : others;
  if (JSON.stringify(want) === JSON.stringify(spec.hooks?.createContainer ?? [])) return false;
  spec.hooks = { ...(spec.hooks ?? {}), createContainer: want };
  if (want.length === 0) delete spec.hooks.createContainer;
  return true;
}

/**
 * The spec of a container on user networks: the holder's user namespace
 * and, for runc and crun, the attach hook. True when it changed.
 */
export function holderSpec(spec: SpecLike, holder: Pick<NetHolder, 'usernsLink' | 'selfHookArgv'>, runtime: string, containerId: string, mappings: Pick<IdMappings, 'uid' | 'gid'>): boolean {
  // Cove's runtime: the path alone, attached by the monitor's hook. runc and crun: mappings beside it, and their own hook.
  const own = runtime === 'cove';
  const a = joinHolderUserns(spec, holder.usernsLink, own ? null : mappings);
  const b = attachHookFor(spec, own ? null : holder.selfHookArgv(containerId));
  return a || b;
}

/**
 * Before the monitor starts a container on user-defined networks: the
 * holder runs, the container joins the holder's user namespace (the owner
 * of every network namespace the holder configures; a sibling user
 * namespace could not be configured from there, user_namespaces(7)), and
 * the monitor's hook attaches its new network namespace. Returns the
 * hook's argv, or null for other network modes.
 */
export async function prepareContainerNetwork(networks: NetworkService, rec: { id: string; runtime?: string; config?: { network: string } }, files: { config: string; ports: string }): Promise<string[] | null> {
  if (!rec.config || !isUserNetwork(rec.config.network)) return null;
  const { ports } = await networks.prepareStart(rec.id, freePort);
  const spec = await readJsonFile<SpecLike>(files.config);
  if (!spec) throw new EngineError('E_STORE_CORRUPT', `container ${rec.id.slice(0, 12)} has no bundle config; remove it and create it again`);
  const runtime = rec.runtime ?? 'cove';
  // Created by this version: it is set up already. Older ones are rewritten once.
  if (holderSpec(spec, networks.holder, runtime, rec.id, networks.holder.mappings)) await writeJsonAtomic(files.config, spec);
  // Read back by `cove port` and ps; with no ports there is nothing to read (they fall back to the config's).
  if (ports.length > 0) await writeJsonAtomic(files.ports, ports);
  // runc and crun attach from their createContainer hook (attachHookFor), not the monitor's.
  return runtime === 'cove' ? networks.holder.hookArgv(rec.id) : null;
}
