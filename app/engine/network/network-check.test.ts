import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNetworkState, type CheckedContainer } from './network-check.js';
import type { EndpointRecord, NetworkRecord, NetworkState } from './network-state.js';

const net = (name: string, subnet: string, id = name.padEnd(64, '0')): NetworkRecord => ({
  id,
  name,
  driver: 'bridge',
  subnet,
  gateway: subnet.replace(/\.(\d+)\/\d+$/, (_, last: string) => `.${Number(last) + 1}`),
  internal: false,
  labels: {},
  createdAt: '2026-11-30T00:00:00.000Z',
  bridge: `br-${id.slice(0, 12)}`,
});
const ep = (container: string, name: string, network: NetworkRecord, ip: string, extra: Partial<EndpointRecord> = {}): EndpointRecord => ({
  container,
  name,
  network: network.id,
  ip,
  aliases: [],
  ifname: 'eth0',
  primary: true,
  ports: [],
  ...extra,
});
const C = (id: string, name: string, networks: string[] = []): CheckedContainer => ({ id, name, networks: networks.map((n) => ({ network: n, aliases: [], ip: null })), ports: [] });

test('a consistent state has no findings and comes back the same', () => {
  const a = net('a', '10.89.1.0/24');
  const s: NetworkState = { networks: [a], endpoints: [ep('c1', 'web', a, '10.89.1.2')] };
  const copy = structuredClone(s);
  const r = checkNetworkState(s, [C('c1', 'web', ['a'])]);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.state, copy);
});

test('gone containers and networks, duplicates, bad or taken addresses, stale names and primaries are found and repaired', () => {
  const a = net('a', '10.89.1.0/24');
  const b = net('b', '10.89.2.0/24');
  const s: NetworkState = {
    networks: [a, b, net('a', '10.89.9.0/24', 'f'.repeat(64)), net('c', '10.89.2.128/25'), { ...net('d', '10.89.4.0/24'), subnet: 'bogus' }],
    endpoints: [
      ep('c1', 'web', a, '10.89.1.2'),
      ep('c1', 'web', a, '10.89.1.3'),
      ep('c2', 'old-name', a, '10.89.1.2', { primary: false }),
      ep('c2', 'old-name', b, '10.89.7.7', { ifname: 'eth1', primary: false }),
      ep('gone', 'ghost', a, '10.89.1.9'),
      ep('c1', 'web', { ...a, id: 'nosuchnet' }, '10.89.3.3', { primary: false }),
      ep('c3', 'half', b, '10.89.2.9'),
    ],
  };
  const r = checkNetworkState(s, [C('c1', 'web', ['a']), C('c2', 'api', ['a', 'b']), { ...C('c3', ''), partial: true }]);
  const problems = r.findings.map((f) => f.problem);
  for (const re of [
    /network a is recorded twice/,
    /network c \(10\.89\.2\.128\/25\) overlaps network b/,
    /network d has an invalid subnet bogus/,
    /container web is on network a twice/,
    /container api answers as old-name on network a/,
    /container ghost is gone/,
    /container web is on network nosuchnet, which does not exist/,
    /container api has address 10\.89\.1\.2 on network a, which is taken/,
    /container api has address 10\.89\.7\.7 on network b, which is not in its subnet/,
    /container api has 0 primary networks/,
  ]) {
    assert.ok(problems.some((p) => re.test(p)), `${re} in ${problems.join(' | ')}`);
  }
  assert.deepEqual(r.state.networks.map((n) => n.name), ['a', 'b']);
  assert.deepEqual(
    r.state.endpoints.map((e) => [e.container, e.name, e.network[0], e.ip, e.ifname, e.primary]),
    [
      ['c1', 'web', 'a', '10.89.1.2', 'eth0', true],
      ['c2', 'api', 'a', '10.89.1.3', 'eth0', true],
      ['c2', 'api', 'b', '10.89.2.2', 'eth1', false],
      ['c3', 'half', 'b', '10.89.2.9', 'eth0', true],
    ],
  );
  // What repair gives is consistent.
  assert.deepEqual(checkNetworkState(r.state, [C('c1', 'web'), C('c2', 'api'), { ...C('c3', ''), partial: true }]).findings, []);
});

test('an unreadable file is rebuilt from the containers: their networks with new subnets, their addresses and ports', () => {
  const web: CheckedContainer = { id: 'c1', name: 'web', networks: [{ network: 'front', aliases: ['www'], ip: '10.89.1.50' }, { network: 'back', aliases: [], ip: null }], ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }] };
  const r = checkNetworkState(null, [web, C('c2', 'db', ['back']), C('c3', 'plain')]);
  assert.match(r.findings[0]?.problem ?? '', /unreadable/);
  assert.deepEqual(r.state.networks.map((n) => [n.name, n.subnet]), [['front', '10.89.1.0/24'], ['back', '10.89.2.0/24']]);
  assert.deepEqual(
    r.state.endpoints.map((e) => [e.name, e.ip, e.aliases, e.primary, e.ports.length]),
    [
      ['web', '10.89.1.50', ['www'], true, 1],
      ['web', '10.89.2.2', [], false, 0],
      ['db', '10.89.2.3', [], true, 0],
    ],
  );
});
