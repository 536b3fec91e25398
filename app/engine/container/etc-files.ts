import fs from 'node:fs';
import type { RunConfig } from './run-config.js';

/** The address slirp4netns gives the container and its DNS forwarder (slirp4netns(1), --configure). */
export const SLIRP_CONTAINER_IP = '10.0.2.100';
export const SLIRP_DNS = '10.0.2.3';

export function hostnameFile(run: RunConfig): string {
  return `${run.hostname}\n`;
}

/** slirp4netns's address for the host (its loopback too: Cove does not pass --disable-host-loopback to the holder's link). */
export const SLIRP_HOST = '10.0.2.2';

/** The container's own address on its user-defined network, its gateway (the DNS server) and whether the network is --internal. */
export interface OwnEndpoint {
  ip: string;
  gateway: string;
  internal: boolean;
}

export function hostsFile(run: RunConfig, endpoint?: OwnEndpoint): string {
  const own = endpoint?.ip ?? (run.network === 'slirp4netns' ? SLIRP_CONTAINER_IP : '127.0.1.1');
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `${own}\t${run.hostname}`];
  // Docker Desktop's names for the host, where the container has a way out to it.
  if (run.network === 'slirp4netns' || (endpoint && !endpoint.internal)) lines.push(`${SLIRP_HOST}\thost.docker.internal host.containers.internal`);
  for (const h of run.addHost) lines.push(`${h.ip}\t${h.name}`);
  return lines.join('\n') + '\n';
}

/**
 * --dns wins; with slirp4netns its built-in forwarder; otherwise the host's
 * nameservers minus loopback ones, which mean nothing inside another
 * network namespace (docker's libnetwork/resolvconf does the same).
 */
export function resolvFile(run: RunConfig, hostResolv = '/etc/resolv.conf', endpoint?: OwnEndpoint): string {
  let servers = run.dns;
  let search: string[] = [];
  if (servers.length === 0 && run.network === 'slirp4netns') servers = [SLIRP_DNS];
  // The network's own DNS server (in the holder, on the gateway): names of that network first, the rest forwarded.
  if (endpoint && run.dns.length === 0) return `nameserver ${endpoint.gateway}\noptions ndots:0\n`;
  let host: string;
  try {
    host = fs.readFileSync(hostResolv, 'utf8');
  } catch {
    host = '';
  }
  for (const line of host.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === 'search') search = rest;
    // Loopback resolvers mean nothing in another network namespace; with --network host they are the host's own.
    if (key === 'nameserver' && run.dns.length === 0 && run.network !== 'slirp4netns' && rest[0] && (run.network === 'host' || !/^127\.|^::1$/.test(rest[0]))) servers.push(rest[0]);
  }
  const out = servers.map((s) => `nameserver ${s}`);
  if (search.length > 0) out.push(`search ${search.join(' ')}`);
  return out.join('\n') + (out.length ? '\n' : '');
}
