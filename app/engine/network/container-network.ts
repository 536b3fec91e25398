import net from 'node:net';
import { EngineError } from '../errors.js';
import { readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import type { PortSpec } from '../container/run-options.js';
import { isUserNetwork, type NetworkService } from './network-service.js';

export interface SpecLike {
  linux: { namespaces: Array<{ type: string; path?: string }>; uidMappings?: unknown; gidMappings?: unknown };
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
 * making one. True when the spec changed.
 */
export function joinHolderUserns(spec: SpecLike, link: string): boolean {
  const user = spec.linux.namespaces.find((n) => n.type === 'user');
  if (user?.path === link && spec.linux.uidMappings === undefined && spec.linux.gidMappings === undefined) return false;
  spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'user');
  spec.linux.namespaces.unshift({ type: 'user', path: link });
  delete spec.linux.uidMappings;
  delete spec.linux.gidMappings;
  return true;
}

/**
 * Before the monitor starts a container on user-defined networks: the
 * holder runs, the container joins the holder's user namespace (the owner
 * of every network namespace the holder configures; a sibling user
 * namespace could not be configured from there, user_namespaces(7)), and
 * the monitor's hook attaches its new network namespace. Returns the
 * hook's argv, or null for other network modes.
 */
export async function prepareContainerNetwork(networks: NetworkService, rec: { id: string; config?: { network: string } }, files: { config: string; ports: string }): Promise<string[] | null> {
  if (!rec.config || !isUserNetwork(rec.config.network)) return null;
  const { ports } = await networks.prepareStart(rec.id, freePort);
  const spec = await readJsonFile<SpecLike>(files.config);
  if (!spec) throw new EngineError('E_STORE_CORRUPT', `container ${rec.id.slice(0, 12)} has no bundle config; remove it and create it again`);
  // Created by this version: it names the holder's link already. Older ones are rewritten once.
  if (joinHolderUserns(spec, networks.holder.usernsLink)) await writeJsonAtomic(files.config, spec);
  // Read back by `cove port` and ps; with no ports there is nothing to read (they fall back to the config's).
  if (ports.length > 0) await writeJsonAtomic(files.ports, ports);
  return networks.holder.hookArgv(rec.id);
}
