// Cove's API results in the JSON shapes of the Docker Engine API reference,
// so clients that parse them (the docker CLI's formatters, compose,
// testcontainers) find the fields where they look.
import type { ContainerInspect, ContainerSummary, ImageInspect, ImageSummary, NetworkSummary, VolumeSummary } from '../api/contract.js';

const unixSeconds = (iso: string | null | undefined): number => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);
const shellJoin = (args: string[]): string => args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

export interface DockerPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export function containerListEntry(c: ContainerSummary): Record<string, unknown> {
  const ports: DockerPort[] = (c.ports ?? []).map((p) => ({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol }));
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.image,
    ImageID: c.imageId,
    Command: shellJoin(c.command),
    Created: unixSeconds(c.createdAt),
    Ports: ports,
    Labels: c.labels ?? {},
    State: c.state,
    Status: c.status,
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

/** docker inspect: Cove's view already uses docker's names; add what clients read that Cove keeps elsewhere. */
export function containerInspect(c: ContainerInspect, networks: NetworkSummary[] = []): Record<string, unknown> {
  const running = c.State.Running;
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  // The engine's PortBindings are the ports as bound (random host ports filled in) while it runs.
  for (const [key, bindings] of Object.entries(c.HostConfig.PortBindings)) ports[key] = running ? bindings.map((b) => ({ HostIp: b.HostIp || '0.0.0.0', HostPort: b.HostPort })) : null;
  const exposed: Record<string, Record<string, never>> = {};
  for (const key of Object.keys(c.HostConfig.PortBindings)) exposed[key] = {};
  return {
    ...c,
    State: {
      ...c.State,
      Paused: c.State.Status === 'paused',
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Error: '',
      Status: c.State.Status,
    },
    Config: { ...c.Config, ExposedPorts: exposed, AttachStdin: false, AttachStdout: true, AttachStderr: true, OpenStdin: false, Entrypoint: null },
    HostConfig: { ...c.HostConfig, Binds: null, LogConfig: { Type: 'json-file', Config: {} } },
    NetworkSettings: { Ports: ports, Networks: endpointsOf(c.Id, networks), IPAddress: '', Gateway: '', MacAddress: '' },
    Driver: 'overlay',
    Platform: 'linux',
    ImageName: c.Config.Image,
  };
}

/** The user-defined networks a container is on, as docker's NetworkSettings.Networks. */
function endpointsOf(id: string, networks: NetworkSummary[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of networks) {
    const ep = n.containers.find((c) => c.containerId === id);
    if (!ep) continue;
    out[n.name] = { NetworkID: n.id, EndpointID: id.slice(0, 32), Aliases: ep.aliases, IPAddress: ep.ip, IPPrefixLen: Number(n.subnet?.split('/')[1] ?? 0), Gateway: n.gateway ?? '', MacAddress: '', IPAMConfig: null, Links: null, DNSNames: [ep.containerName, ...ep.aliases, id.slice(0, 12)] };
  }
  return out;
}

export function imageListEntry(i: ImageSummary): Record<string, unknown> {
  return {
    Id: i.id,
    ParentId: '',
    RepoTags: i.references.filter((r) => !r.includes('@')),
    RepoDigests: i.references.filter((r) => r.includes('@')),
    Created: unixSeconds(i.createdAt),
    Size: i.size,
    SharedSize: -1,
    VirtualSize: i.size,
    Labels: {},
    Containers: -1,
  };
}

export function imageInspect(i: ImageInspect): Record<string, unknown> {
  return {
    ...i,
    Parent: '',
    Comment: '',
    DockerVersion: '',
    VirtualSize: i.Size,
    GraphDriver: { Name: 'overlay2', Data: {} },
    Config: { ...i.Config, Labels: {}, ExposedPorts: {}, Volumes: null, OnBuild: null },
    Created: i.Created ?? '0001-01-01T00:00:00Z',
  };
}

export function volumeEntry(v: VolumeSummary): Record<string, unknown> {
  return {
    Name: v.name,
    Driver: 'local',
    Mountpoint: v.mountpoint,
    CreatedAt: v.createdAt,
    Labels: v.labels,
    Scope: 'local',
    Options: {},
    UsageData: { RefCount: v.usedBy.length, Size: -1 },
  };
}
