import { contains, isHostAddress, overlaps, parseCidr, parseIp } from './cidr.js';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { PortSpec } from '../container/run-options.js';
import type { RunConfig } from '../container/run-config.js';
import { allocate, freeSubnet, NAME_RE, networkRecord } from './network-service.js';
import type { EndpointRecord, NetworkRecord, NetworkState, NetworkStateFile } from './network-state.js';

/** What a container record says about its user-defined networks. */
export function checkedContainer(r: { id: string; name: string; config?: RunConfig }): CheckedContainer {
  const c = r.config;
  const user = c !== undefined && !['none', 'slirp4netns', 'host'].includes(c.network) && !c.network.startsWith('container:');
  return {
    id: r.id,
    name: r.name,
    networks: user ? [{ network: c.network, aliases: c.networkAliases ?? [], ip: c.ip ?? null }, ...(c.extraNetworks ?? [])] : [],
    ports: user ? c.ports : [],
  };
}

/** A container as `cove system check` sees it: the user-defined networks it was created on. */
export interface CheckedContainer {
  id: string;
  name: string;
  networks: Array<{ network: string; aliases: string[]; ip: string | null }>;
  /** Published ports: the primary network's. */
  ports: PortSpec[];
  /** A directory without container.json yet (a create in progress, or one that crashed): its endpoints are left alone. */
  partial?: boolean;
}

export interface NetworkFinding {
  id: string;
  problem: string;
  /** What repair does about it. */
  fix: string;
}

const str = (v: unknown): v is string => typeof v === 'string';

function validNetwork(n: unknown): string | null {
  const r = n as Partial<NetworkRecord> | null;
  if (!r || typeof r !== 'object' || !str(r.id) || !str(r.name) || !str(r.subnet) || !str(r.gateway) || !str(r.bridge)) return 'a network record with missing fields';
  let subnet;
  try {
    subnet = parseCidr(r.subnet);
  } catch {
    return `network ${r.name} has an invalid subnet ${r.subnet}`;
  }
  const gw = parseIp(r.gateway);
  if (gw === null || !isHostAddress(subnet, gw)) return `network ${r.name} has a gateway ${r.gateway} outside its subnet ${r.subnet}`;
  return null;
}

function validEndpoint(e: unknown): boolean {
  const r = e as Partial<EndpointRecord> | null;
  return Boolean(r && typeof r === 'object' && str(r.container) && str(r.name) && str(r.network) && str(r.ip) && str(r.ifname) && Array.isArray(r.aliases) && Array.isArray(r.ports));
}

/**
 * networks.json against itself and the containers: records with missing
 * fields, networks whose subnets overlap or whose names repeat, endpoints
 * of containers or networks that are gone, a container twice on a network,
 * addresses outside the subnet or taken twice, a container with no or two
 * primary endpoints, an endpoint under a container's old name. `s` comes
 * back repaired. An unreadable file (`s` null) is rebuilt from the
 * containers' own records: the networks they were created on, with new
 * subnets, and their addresses.
 */
export function checkNetworkState(s: NetworkState | null, containers: CheckedContainer[]): { state: NetworkState; findings: NetworkFinding[] } {
  const findings: NetworkFinding[] = [];
  const note = (id: string, problem: string, fix: string): void => void findings.push({ id, problem, fix });
  const byId = new Map(containers.map((c) => [c.id, c]));
  if (s === null) return { state: rebuild(containers, note), findings };
  const out: NetworkState = { networks: [], endpoints: [] };
  for (const n of Array.isArray(s.networks) ? s.networks : []) {
    const bad = validNetwork(n);
    if (bad) note((n as Partial<NetworkRecord>)?.id ?? 'networks.json', bad, 'removed the record');
    else if (out.networks.some((x) => x.name === n.name || x.id === n.id)) note(n.id, `network ${n.name} is recorded twice`, 'removed the second record');
    else {
      const clash = out.networks.find((x) => overlaps(parseCidr(x.subnet), parseCidr(n.subnet)));
      if (clash) note(n.id, `network ${n.name} (${n.subnet}) overlaps network ${clash.name} (${clash.subnet})`, `removed network ${n.name}; create it again`);
      else out.networks.push(n);
    }
  }
  const kept: EndpointRecord[] = [];
  for (const e of Array.isArray(s.endpoints) ? s.endpoints : []) {
    if (!validEndpoint(e)) {
      note('networks.json', 'an endpoint record with missing fields', 'removed the record');
      continue;
    }
    const net = out.networks.find((n) => n.id === e.network);
    const c = byId.get(e.container);
    if (c?.partial) kept.push(e);
    else if (!c) note(e.container, `container ${e.name} is gone but still has address ${e.ip} on a network`, 'released the address');
    else if (!net) note(e.container, `container ${c.name} is on network ${e.network.slice(0, 12)}, which does not exist`, 'removed the endpoint');
    else if (kept.some((k) => k.container === e.container && k.network === e.network)) note(e.container, `container ${c.name} is on network ${net.name} twice`, 'removed the second endpoint');
    else {
      if (e.name !== c.name) {
        note(e.container, `container ${c.name} answers as ${e.name} on network ${net.name}`, 'renamed the endpoint');
        e.name = c.name;
      }
      kept.push(e);
    }
  }
  // Addresses: inside the subnet, not the gateway, once per network; a bad one is given a new one.
  out.endpoints = [];
  for (const e of kept) {
    const net = out.networks.find((n) => n.id === e.network) as NetworkRecord;
    const ip = parseIp(e.ip);
    const taken = e.ip === net.gateway || out.endpoints.some((x) => x.network === e.network && x.ip === e.ip);
    if (ip !== null && contains(parseCidr(net.subnet), ip) && isHostAddress(parseCidr(net.subnet), ip) && !taken) {
      out.endpoints.push(e);
      continue;
    }
    const fresh = allocate(out, net, { id: e.container, name: e.name }, { aliases: e.aliases.filter((a) => NAME_RE.test(a)), ip: null }, e.primary);
    fresh.ports = e.ports;
    fresh.ifname = e.ifname;
    note(e.container, `container ${e.name} has address ${e.ip} on network ${net.name}, ${taken ? 'which is taken' : 'which is not in its subnet'}`, `gave it ${fresh.ip}`);
  }
  for (const id of new Set(out.endpoints.map((e) => e.container))) {
    const mine = out.endpoints.filter((e) => e.container === id);
    const primaries = mine.filter((e) => e.primary);
    if (primaries.length === 1) continue;
    note(id, `container ${mine[0]?.name ?? id} has ${primaries.length} primary networks`, 'made its first network the primary one');
    mine.forEach((e, i) => (e.primary = i === 0));
  }
  return { state: out, findings };
}

function rebuild(containers: CheckedContainer[], note: (id: string, problem: string, fix: string) => void): NetworkState {
  const s: NetworkState = { networks: [], endpoints: [] };
  note('networks.json', 'unreadable', 'set it aside and rebuilt it from the containers');
  for (const c of containers) {
    c.networks.forEach((want, i) => {
      let net = s.networks.find((n) => n.name === want.network);
      if (!net) {
        if (!NAME_RE.test(want.network)) return;
        const subnet = freeSubnet(s);
        net = networkRecord(want.network, subnet, subnet.base + 1, false, {});
        s.networks.push(net);
        note(net.id, `network ${want.network} of container ${c.name} is lost`, `created it again with subnet ${net.subnet}`);
      }
      const free = want.ip !== null && !s.endpoints.some((e) => e.network === net.id && e.ip === want.ip) && parseIp(want.ip) !== null && isHostAddress(parseCidr(net.subnet), parseIp(want.ip) as number);
      const e = allocate(s, net, c, { aliases: want.aliases.filter((a) => NAME_RE.test(a)), ip: free ? want.ip : null }, i === 0);
      if (i === 0) e.ports = c.ports;
    });
  }
  return s;
}

export interface NetworkCheckReport {
  problems: NetworkFinding[];
  leftovers: string[];
  repaired: string[];
}

/**
 * `cove system check` for networks.json, under its lock. With repair the
 * repaired state is written (an unreadable file is kept beside it as
 * networks.json.corrupt-TIME) and stale temp files of killed writers go.
 */
export async function checkNetworks(file: NetworkStateFile, containers: () => Promise<CheckedContainer[]>, repair: boolean): Promise<NetworkCheckReport & { changed: boolean }> {
  const report = await file.withRaw(async (text, write) => {
    let s: NetworkState | null = { networks: [], endpoints: [] };
    if (text !== undefined) {
      try {
        const v = JSON.parse(text) as unknown;
        s = v && typeof v === 'object' && !Array.isArray(v) ? (v as NetworkState) : null;
      } catch {
        s = null;
      }
    }
    const { state, findings } = checkNetworkState(s, await containers());
    const repaired: string[] = [];
    if (repair && findings.length > 0) {
      if (s === null) await fsp.copyFile(file.file, `${file.file}.corrupt-${Date.now()}`);
      await write(state);
      for (const f of findings) repaired.push(`networks: ${f.problem}: ${f.fix}`);
    }
    return { problems: findings, leftovers: [] as string[], repaired, changed: repaired.length > 0 };
  });
  const dir = path.dirname(file.file);
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith('.tmp-networks.json-')) continue;
    const st = await fsp.stat(path.join(dir, name)).catch(() => undefined);
    // A writer holds its temp file for milliseconds; an old one is a killed writer's.
    if (!st || Date.now() - st.mtimeMs < 10_000) continue;
    report.leftovers.push(`temp file ${name}`);
    if (repair) {
      await fsp.rm(path.join(dir, name), { force: true });
      report.repaired.push(`removed temp file ${name}`);
    }
  }
  return report;
}
