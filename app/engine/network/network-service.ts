import crypto from 'node:crypto';
import type { NetworkCreateOptions, NetworkSummary } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { contains, formatCidr, formatIp, isHostAddress, lastHost, overlaps, parseCidr, parseIp, type Cidr } from './cidr.js';
import type { NetHolder } from './net-holder.js';
import type { EndpointRecord, NetworkRecord, NetworkState, NetworkStateFile } from './network-state.js';

/** The network modes that are not user-defined networks (docker's built-in ones, Cove's slirp4netns). */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none', 'slirp4netns', 'default'] as const;

export function isUserNetwork(mode: string): boolean {
  return !(BUILTIN_NETWORKS as readonly string[]).includes(mode) && !mode.startsWith('container:');
}

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
/** slirp4netns's own network (the holder's link out): no user network may overlap it. */
const SLIRP_NET = parseCidr('10.0.2.0/24');

/** What the network service needs to know about containers. */
export interface NetworkContainers {
  resolve(query: string): Promise<{ id: string; name: string; network: string | null }>;
  /** The pid of a running container, else null. */
  runningPid(id: string): Promise<number | null>;
  /** Running containers whose network mode is a user-defined network. */
  runningOnNetworks(): Promise<Array<{ id: string; pid: number }>>;
  /** Whether anything of the container is on disk (its directory exists, even half-created). */
  exists(id: string): Promise<boolean>;
}

export class NetworkService {
  constructor(
    private readonly state: NetworkStateFile,
    readonly holder: NetHolder,
    private readonly containers: NetworkContainers,
  ) {}

  async list(): Promise<NetworkSummary[]> {
    const s = await this.state.read();
    const builtin: NetworkSummary[] = [
      { id: 'bridge', name: 'bridge', driver: 'slirp4netns', subnet: '10.0.2.0/24', gateway: '10.0.2.2', internal: false, labels: {}, createdAt: null, builtin: true, containers: [] },
      { id: 'host', name: 'host', driver: 'host', subnet: null, gateway: null, internal: false, labels: {}, createdAt: null, builtin: true, containers: [] },
      { id: 'none', name: 'none', driver: 'null', subnet: null, gateway: null, internal: false, labels: {}, createdAt: null, builtin: true, containers: [] },
    ];
    return [...builtin, ...s.networks.map((n) => summary(n, s))];
  }

  async inspect(query: string): Promise<NetworkSummary> {
    const list = await this.list();
    const hit = list.find((n) => n.name === query || n.id === query) ?? uniquePrefix(list, query);
    if (!hit) throw notFound(query);
    return hit;
  }

  async create(o: NetworkCreateOptions): Promise<NetworkSummary> {
    if (!NAME_RE.test(o.name)) throw new EngineError('E_INVALID_ARGUMENT', `invalid network name "${o.name}": use letters, digits, _ . - and start with a letter or digit`);
    if ((BUILTIN_NETWORKS as readonly string[]).includes(o.name)) throw new EngineError('E_NAME_IN_USE', `"${o.name}" is a built-in network name; pick another`);
    if (o.driver !== undefined && o.driver !== 'bridge') throw new EngineError('E_INVALID_ARGUMENT', `unsupported network driver "${o.driver}": Cove has bridge`);
    const wanted = o.subnet !== undefined ? parseCidr(o.subnet) : null;
    if (o.gateway !== undefined && o.subnet === undefined) throw new EngineError('E_INVALID_ARGUMENT', '--gateway needs --subnet');
    const rec = await this.state.update((s) => {
      if (s.networks.some((n) => n.name === o.name)) throw new EngineError('E_NAME_IN_USE', `network with name ${o.name} already exists; remove it (cove network rm ${o.name}) or pick another name`);
      const subnet = wanted ?? freeSubnet(s);
      for (const n of s.networks) {
        if (overlaps(subnet, parseCidr(n.subnet))) throw new EngineError('E_INVALID_ARGUMENT', `subnet ${formatCidr(subnet)} overlaps network ${n.name} (${n.subnet}); pick another subnet`);
      }
      if (overlaps(subnet, SLIRP_NET)) throw new EngineError('E_INVALID_ARGUMENT', `subnet ${formatCidr(subnet)} overlaps 10.0.2.0/24, which slirp4netns uses for the way out; pick another subnet`);
      let gateway = subnet.base + 1;
      if (o.gateway !== undefined) {
        const g = parseIp(o.gateway);
        if (g === null || !isHostAddress(subnet, g)) throw new EngineError('E_INVALID_ARGUMENT', `invalid gateway "${o.gateway}": give an address inside ${formatCidr(subnet)}`);
        gateway = g;
      }
      const n = networkRecord(o.name, subnet, gateway, o.internal ?? false, o.labels ?? {});
      s.networks.push(n);
      return { changed: true, value: n };
    });
    return summary(rec, { networks: [rec], endpoints: [] });
  }

  /**
   * `force` first disconnects the containers on it (live ones from their
   * running veth too), as `cove network disconnect` would, then removes it.
   */
  async remove(query: string, force = false): Promise<string> {
    const target = await this.inspect(query);
    if (target.builtin) throw new EngineError('E_INVALID_ARGUMENT', `${target.name} is a pre-defined network and cannot be removed`);
    const dropped = await this.state.update((s) => {
      const users = s.endpoints.filter((e) => e.network === target.id);
      if (users.length > 0 && !force) {
        throw new EngineError('E_NETWORK_IN_USE', `network ${target.name} has containers on it (${users.map((u) => u.name).join(', ')}); remove them or disconnect them first (cove network disconnect ${target.name} CONTAINER), or use cove network rm -f`);
      }
      for (const u of users) removeEndpoint(s, u.container, target.id);
      s.networks = s.networks.filter((n) => n.id !== target.id);
      return { changed: true, value: users.map((u) => u.container) };
    });
    if (dropped.length > 0 && (await this.holder.ping()) !== null) {
      for (const id of dropped) if ((await this.containers.runningPid(id)) !== null) await this.holder.request(`detach ${id} ${target.id}`);
    }
    await this.holder.syncIfRunning();
    return target.name;
  }

  async prune(): Promise<string[]> {
    const removed = await this.state.update((s) => {
      const used = new Set(s.endpoints.map((e) => e.network));
      const gone = s.networks.filter((n) => !used.has(n.id)).map((n) => n.name);
      s.networks = s.networks.filter((n) => used.has(n.id));
      return { changed: gone.length > 0, value: gone };
    });
    if (removed.length) await this.holder.syncIfRunning();
    return removed;
  }

  /**
   * A new container's endpoints (docker create --network A [--network B]):
   * addresses allocated now, all or none, so /etc/hosts can carry them. The
   * first network is the primary one (default route, published ports).
   */
  async attachOnCreate(c: { id: string; name: string }, list: Array<{ network: string; aliases: string[]; ip: string | null }>, ports: EndpointRecord['ports']): Promise<{ ip: string; gateway: string; internal: boolean }> {
    const nets: NetworkRecord[] = [];
    for (const l of list) {
      const n = await this.userNetwork(l.network);
      if (nets.some((x) => x.id === n.id)) throw new EngineError('E_INVALID_ARGUMENT', `network "${n.name}" is specified multiple times`);
      nets.push(n);
    }
    const ep = await this.state.update((s) => {
      const made = list.map((l, i) => allocate(s, nets[i] as NetworkRecord, c, { aliases: l.aliases, ip: l.ip }, i === 0));
      (made[0] as EndpointRecord).ports = ports;
      return { changed: true, value: made[0] as EndpointRecord };
    });
    const primary = nets[0] as NetworkRecord;
    return { ip: ep.ip, gateway: primary.gateway, internal: primary.internal };
  }

  async connect(network: string, container: string, opts: { aliases?: string[]; ip?: string }): Promise<NetworkSummary> {
    const c = await this.containers.resolve(container);
    const net = await this.userNetwork(network);
    if (c.network === null || !isUserNetwork(c.network)) {
      throw new EngineError('E_INVALID_ARGUMENT', `container ${c.name} runs with --network ${c.network ?? 'none'}, which has no place for a second network; create it on a user-defined network (cove run --network NAME) to connect it to others`);
    }
    await this.state.update((s) => {
      if (s.endpoints.some((e) => e.container === c.id && e.network === net.id)) {
        throw new EngineError('E_INVALID_ARGUMENT', `container ${c.name} is already connected to network ${net.name}`);
      }
      allocate(s, net, c, { aliases: opts.aliases ?? [], ip: opts.ip ?? null }, !s.endpoints.some((e) => e.container === c.id));
      return { changed: true, value: undefined };
    });
    const pid = await this.containers.runningPid(c.id);
    if (pid !== null) {
      try {
        await this.ensureHolder(c.id);
        await this.holder.request(`attach ${c.id} ${pid} ${net.id}`);
      } catch (err) {
        await this.dropEndpoint(c.id, net.id);
        throw err;
      }
    }
    return this.inspect(net.id);
  }

  async disconnect(network: string, container: string): Promise<NetworkSummary> {
    const c = await this.containers.resolve(container);
    const net = await this.userNetwork(network);
    const had = await this.dropEndpoint(c.id, net.id);
    if (!had) throw new EngineError('E_INVALID_ARGUMENT', `container ${c.name} is not connected to network ${net.name}`);
    if ((await this.containers.runningPid(c.id)) !== null && (await this.holder.ping()) !== null) {
      await this.holder.request(`detach ${c.id} ${net.id}`);
    }
    return this.inspect(net.id);
  }

  /**
   * Everything of a removed container goes: its endpoints and their
   * addresses. The holder is not told: a removed container no longer runs,
   * the holder dropped its interfaces and forwards when its process ended
   * (pidfd), its DNS answers only containers attached now, and every
   * attach reads the state again first.
   */
  async release(containerId: string): Promise<void> {
    // Most containers have no endpoint: no lock (a flock(1) child) for them. None can be added
    // meanwhile: create adds them before container.json exists, connect after, and removal
    // deleted container.json first.
    const now = await this.state.read().catch(() => null);
    if (now && !now.endpoints.some((e) => e.container === containerId)) return;
    await this.state.update(
      (s) => {
        const before = s.endpoints.length;
        s.endpoints = s.endpoints.filter((e) => e.container !== containerId);
        return { changed: s.endpoints.length !== before, value: undefined };
      },
      { durable: false },
    );
  }

  /** `rename`: the container's endpoints answer to the new name; a running holder's DNS re-reads them now. */
  async renameEndpoints(containerId: string, name: string): Promise<void> {
    const now = await this.state.read().catch(() => null);
    if (!now?.endpoints.some((e) => e.container === containerId)) return;
    await this.state.update((s) => {
      let changed = false;
      for (const e of s.endpoints) {
        if (e.container === containerId && e.name !== name) {
          e.name = name;
          changed = true;
        }
      }
      return { changed, value: undefined };
    });
    await this.holder.syncIfRunning();
  }

  /**
   * Before a container on user networks starts: a holder runs (started
   * and given back its running containers if it was gone), host ports
   * asked as 0 are picked, and the pid of the holder, whose user namespace
   * the container joins, is returned.
   */
  async prepareStart(containerId: string, pickPort: (p: EndpointRecord['ports'][number]) => Promise<number>): Promise<{ holderPid: number; ports: EndpointRecord['ports'] }> {
    const s = await this.state.read();
    const primary = s.endpoints.find((e) => e.container === containerId && e.primary);
    let ports = primary?.ports ?? [];
    if (primary && ports.some((p) => p.hostPort === 0)) {
      const picked = await Promise.all(ports.map(async (p) => (p.hostPort === 0 ? { ...p, hostPort: await pickPort(p) } : p)));
      ports = picked;
      // Only the picked numbers are written back: a new pick for each start, as docker does.
      await this.state.update((st) => {
        const e = st.endpoints.find((x) => x.container === containerId && x.primary);
        if (e) e.ports = e.ports.map((p, i) => (p.hostPort === 0 ? { ...p, hostPort: (picked[i] as typeof p).hostPort } : p));
        return { changed: Boolean(e), value: undefined };
      });
    }
    const holderPid = await this.ensureHolder(containerId);
    return { holderPid, ports };
  }

  /** Starts the holder if needed; after a fresh start, the running containers are attached again. */
  async ensureHolder(except?: string): Promise<number> {
    // The running containers are listed only when a holder has to be started (not on every start).
    let running: Array<{ id: string; pid: number }> = [];
    const { pid, started } = await this.holder.ensure(async () => {
      running = (await this.containers.runningOnNetworks()).filter((r) => r.id !== except);
      return running[0]?.pid ?? null;
    });
    if (started) for (const r of running) await this.holder.request(`attach ${r.id} ${r.pid}`).catch(() => undefined);
    return pid;
  }

  /**
   * The next command's repair after a kill -9 anywhere: endpoints of
   * containers that are gone (killed between allocation and removal) are
   * dropped, and the holder is started again, re-attaching what runs.
   */
  async repair(): Promise<void> {
    const s = await this.state.read();
    const gone: string[] = [];
    for (const id of new Set(s.endpoints.map((e) => e.container))) if (!(await this.containers.exists(id))) gone.push(id);
    for (const id of gone) await this.release(id);
    if ((await this.containers.runningOnNetworks()).length > 0) await this.ensureHolder();
  }

  private async dropEndpoint(containerId: string, networkId: string): Promise<boolean> {
    return this.state.update((s) => {
      const had = removeEndpoint(s, containerId, networkId);
      return { changed: had, value: had };
    });
  }

  private async userNetwork(query: string): Promise<NetworkRecord> {
    const s = await this.state.read();
    const n = s.networks.find((x) => x.name === query || x.id === query) ?? uniquePrefix(s.networks, query);
    if (!n) {
      if ((BUILTIN_NETWORKS as readonly string[]).includes(query)) throw new EngineError('E_INVALID_ARGUMENT', `${query} is not a user-defined network: connect and disconnect work on networks made with cove network create`);
      throw notFound(query);
    }
    return n;
  }
}

function notFound(query: string): EngineError {
  return new EngineError('E_NETWORK_NOT_FOUND', `network ${query} not found (cove network ls lists them; cove network create ${query} makes it)`);
}

function uniquePrefix<T extends { id: string }>(list: T[], query: string): T | undefined {
  if (!/^[a-f0-9]{3,63}$/.test(query)) return undefined;
  const hits = list.filter((n) => n.id.startsWith(query));
  return hits.length === 1 ? hits[0] : undefined;
}

export function networkRecord(name: string, subnet: Cidr, gateway: number, internal: boolean, labels: Record<string, string>): NetworkRecord {
  const id = crypto.randomBytes(32).toString('hex');
  return { id, name, driver: 'bridge', subnet: formatCidr(subnet), gateway: formatIp(gateway), internal, labels, createdAt: new Date().toISOString(), bridge: `br-${id.slice(0, 12)}` };
}

/** podman's habit: 10.89.N.0/24, the first one free. */
export function freeSubnet(s: NetworkState): Cidr {
  const taken = s.networks.map((n) => parseCidr(n.subnet));
  for (let i = 1; i < 256; i++) {
    const c = { base: parseCidr(`10.89.${i}.0/24`).base, prefix: 24 };
    if (!taken.some((t) => overlaps(t, c))) return c;
  }
  throw new EngineError('E_INVALID_ARGUMENT', 'no free subnet left in 10.89.0.0/16; give one with --subnet');
}

/** Takes one endpoint out; the container's next network becomes primary (with the ports) if this one was. */
export function removeEndpoint(s: NetworkState, containerId: string, networkId: string): boolean {
  const i = s.endpoints.findIndex((e) => e.container === containerId && e.network === networkId);
  if (i < 0) return false;
  const [gone] = s.endpoints.splice(i, 1);
  const rest = s.endpoints.filter((e) => e.container === containerId);
  if (gone?.primary && rest[0] && !rest.some((e) => e.primary)) {
    rest[0].primary = true;
    rest[0].ports = gone.ports;
  }
  return true;
}

export function allocate(s: NetworkState, net: NetworkRecord, c: { id: string; name: string }, o: { aliases: string[]; ip: string | null }, primary: boolean): EndpointRecord {
  const subnet = parseCidr(net.subnet);
  const used = new Set(s.endpoints.filter((e) => e.network === net.id).map((e) => e.ip));
  used.add(net.gateway);
  for (const a of o.aliases) if (!NAME_RE.test(a)) throw new EngineError('E_INVALID_ARGUMENT', `invalid network alias "${a}": use letters, digits, _ . -`);
  let ip: string | undefined;
  if (o.ip !== null) {
    const n = parseIp(o.ip);
    if (n === null) throw new EngineError('E_INVALID_ARGUMENT', `invalid IP address "${o.ip}"`);
    if (!isHostAddress(subnet, n) || !contains(subnet, n)) throw new EngineError('E_INVALID_ARGUMENT', `IP ${o.ip} is outside network ${net.name}'s subnet ${net.subnet} (or is its network or broadcast address)`);
    if (used.has(o.ip)) throw new EngineError('E_INVALID_ARGUMENT', `IP ${o.ip} is already in use on network ${net.name}`);
    ip = o.ip;
  } else {
    for (let n = subnet.base + 2; n <= lastHost(subnet); n++) {
      if (!used.has(formatIp(n))) {
        ip = formatIp(n);
        break;
      }
    }
    if (ip === undefined) throw new EngineError('E_INVALID_ARGUMENT', `network ${net.name} (${net.subnet}) has no free address left`);
  }
  const mine = s.endpoints.filter((e) => e.container === c.id).map((e) => e.ifname);
  let k = 0;
  while (mine.includes(`eth${k}`)) k++;
  const e: EndpointRecord = { container: c.id, name: c.name, network: net.id, ip, aliases: o.aliases, ifname: `eth${k}`, primary, ports: [] };
  s.endpoints.push(e);
  return e;
}

function summary(n: NetworkRecord, s: NetworkState): NetworkSummary {
  return {
    id: n.id,
    name: n.name,
    driver: 'bridge',
    subnet: n.subnet,
    gateway: n.gateway,
    internal: n.internal,
    labels: n.labels,
    createdAt: n.createdAt,
    builtin: false,
    containers: s.endpoints.filter((e) => e.network === n.id).map((e) => ({ containerId: e.container, containerName: e.name, ip: e.ip, aliases: e.aliases })),
  };
}
