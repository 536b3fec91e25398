// /networks/...: docker's network endpoints over Cove's user-defined
// networks (docker-compose creates <project>_default through these).
import type { NetworkSummary } from '../api/contract.js';
import type { Route } from './docker-router.js';
import type { DockerEngine } from './docker-engine.js';
import { EngineError } from '../engine/errors.js';
import { DockerHttpError, parseFilters, sendEmpty, sendJson } from './docker-http.js';

// Cove's built-in networks under docker's names: its default (slirp4netns) is docker's "bridge".
const DOCKER_DRIVER: Record<NetworkSummary['driver'], string> = { bridge: 'bridge', slirp4netns: 'bridge', host: 'host', null: 'null' };

function prefixLength(subnet: string | null): string {
  return subnet?.split('/')[1] ?? '24';
}

export function dockerNetwork(n: NetworkSummary): Record<string, unknown> {
  return {
    Name: n.builtin && n.driver === 'slirp4netns' ? 'bridge' : n.name,
    Id: n.id,
    Created: n.createdAt ?? '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: DOCKER_DRIVER[n.driver],
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: n.subnet ? [{ Subnet: n.subnet, ...(n.gateway ? { Gateway: n.gateway } : {}) }] : [] },
    Internal: n.internal,
    Attachable: !n.builtin,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      n.containers.map((c) => [c.containerId, { Name: c.containerName, EndpointID: c.containerId.slice(0, 32), MacAddress: '', IPv4Address: c.ip ? `${c.ip}/${prefixLength(n.subnet)}` : '', IPv6Address: '' }]),
    ),
    Options: {},
    Labels: n.labels,
  };
}

function noSuchNetwork(err: unknown, name: string): never {
  if (err instanceof EngineError && err.code.endsWith('_NOT_FOUND') && /network/i.test(err.code + err.message)) throw new DockerHttpError(404, `network ${name} not found`);
  throw err;
}

const labelMatch = (labels: Record<string, string>, v: string): boolean => {
  const eq = v.indexOf('=');
  return eq < 0 ? labels[v] !== undefined : labels[v.slice(0, eq)] === v.slice(eq + 1);
};

export function networkRoutes(engine: DockerEngine): Route[] {
  const byName = async (name: string): Promise<NetworkSummary> => {
    // docker's default network is Cove's slirp4netns one.
    const wanted = name === 'bridge' ? 'slirp4netns' : name;
    return engine.call('networks:inspect', { name: wanted }).catch((e: unknown) => noSuchNetwork(e, name));
  };
  return [
    {
      method: 'GET',
      pattern: '/networks',
      handler: async (req, res) => {
        const filters = parseFilters(req.query);
        const list = (await engine.call('networks:list', {})).filter((n) =>
          [...filters].every(([key, values]) => {
            if (values.length === 0) return true;
            const d = dockerNetwork(n);
            if (key === 'name') return values.some((v) => String(d.Name).includes(v));
            if (key === 'id') return values.some((v) => n.id.startsWith(v));
            if (key === 'label') return values.every((v) => labelMatch(n.labels, v));
            if (key === 'driver') return values.includes(String(d.Driver));
            if (key === 'type') return values.includes(n.builtin ? 'builtin' : 'custom');
            if (key === 'scope') return values.includes('local');
            if (key === 'dangling') return values.some((v) => (v === 'true' || v === '1') === (!n.builtin && n.containers.length === 0));
            throw new DockerHttpError(400, `invalid filter '${key}'`);
          }),
        );
        sendJson(res, 200, list.map(dockerNetwork));
      },
    },
    {
      method: 'POST',
      pattern: '/networks/create',
      handler: async (req, res) => {
        const body = (await req.json<{ Name?: string; Driver?: string; Internal?: boolean; Labels?: Record<string, string> | null; IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null } | null; CheckDuplicate?: boolean }>()) ?? {};
        if (!body.Name) throw new DockerHttpError(400, 'network name is required');
        if (body.Driver && body.Driver !== 'bridge') throw new DockerHttpError(400, `network driver ${body.Driver} is not supported (only bridge)`);
        const ipam = body.IPAM?.Config?.[0];
        const created = await engine.call('networks:create', {
          name: body.Name,
          ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}),
          ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
          ...(body.Internal ? { internal: true } : {}),
          ...(body.Labels && Object.keys(body.Labels).length ? { labels: body.Labels } : {}),
        });
        sendJson(res, 201, { Id: created.id, Warning: '' });
      },
    },
    {
      method: 'POST',
      pattern: '/networks/prune',
      handler: async (_req, res) => sendJson(res, 200, { NetworksDeleted: (await engine.call('networks:prune', {})).removed }),
    },
    { method: 'GET', pattern: '/networks/{id}', handler: async (req, res) => sendJson(res, 200, dockerNetwork(await byName(req.params.id as string))) },
    {
      method: 'DELETE',
      pattern: '/networks/{id}',
      handler: async (req, res) => {
        const n = await byName(req.params.id as string);
        await engine.call('networks:remove', { name: n.name });
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      pattern: '/networks/{id}/connect',
      handler: async (req, res) => {
        const body = (await req.json<{ Container?: string; EndpointConfig?: { Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string } | null } | null }>()) ?? {};
        if (!body.Container) throw new DockerHttpError(400, 'Container is required');
        const n = await byName(req.params.id as string);
        const aliases = body.EndpointConfig?.Aliases ?? [];
        const ip = body.EndpointConfig?.IPAMConfig?.IPv4Address;
        await engine.call('networks:connect', { network: n.name, container: body.Container, ...(aliases.length ? { aliases } : {}), ...(ip ? { ip } : {}) });
        sendEmpty(res, 200);
      },
    },
    {
      method: 'POST',
      pattern: '/networks/{id}/disconnect',
      handler: async (req, res) => {
        const body = (await req.json<{ Container?: string; Force?: boolean }>()) ?? {};
        if (!body.Container) throw new DockerHttpError(400, 'Container is required');
        const n = await byName(req.params.id as string);
        await engine.call('networks:disconnect', { network: n.name, container: body.Container });
        sendEmpty(res, 200);
      },
    },
  ];
}
