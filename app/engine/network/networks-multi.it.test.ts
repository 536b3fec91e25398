// A container created on several user-defined networks at once (docker
// 28's repeated --network and name=NET,alias=A,ip=IP), and `network rm -f`
// disconnecting the containers on a network before removing it. Real
// containers as the test user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxSandbox, okRunner, type CoveSandbox } from '../../testing/harness.js';

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox('cove-it-netmulti-');
});
after(async () => {
  await sb?.cleanup();
});
const ok = okRunner(() => sb);

const WEB = ['sh', '-c', 'echo "served by $(hostname)" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'];
// busybox wget's -T crashes in this build: timeout(1) under sh instead (see networks.it.test.ts).
const fetchFrom = (net: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  sb.cove(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', 'timeout 5 wget -qO- "$0"; exit $?', url]);
type Inspected = Array<{ Id: string; Containers: Record<string, { Name: string; IPv4Address: string; Aliases: string[] }> }>;
const members = async (net: string): Promise<Inspected[number]['Containers']> => (JSON.parse(await ok(['network', 'inspect', net])) as Inspected)[0]?.Containers ?? {};

test('run --network a --network name=b,alias=..,ip=..: on both networks at once, reachable and resolving on each', async () => {
  await ok(['network', 'create', '--subnet', '10.89.201.0/24', 'ma']);
  await ok(['network', 'create', '--subnet', '10.89.202.0/24', 'mb']);
  await ok(['run', '-d', '--name', 'wa', '--network', 'ma', 'busybox', ...WEB]);
  await ok(['run', '-d', '--name', 'wb', '--network', 'mb', 'busybox', ...WEB]);
  const id = (await ok(['run', '-d', '--name', 'dual', '--network', 'ma', '--network-alias', 'da', '--network', 'name=mb,alias=db,ip=10.89.202.77', 'busybox', ...WEB])).trim();
  const a = (await members('ma'))[id];
  const b = (await members('mb'))[id];
  assert.deepEqual(a && { ip: a.IPv4Address, aliases: a.Aliases }, { ip: '10.89.201.3/24', aliases: ['da'] });
  assert.deepEqual(b && { ip: b.IPv4Address, aliases: b.Aliases }, { ip: '10.89.202.77/24', aliases: ['db'] });
  // Each network reaches it under that network's names, and not the other's.
  for (const [net, host] of [['ma', 'dual'], ['ma', 'da'], ['mb', 'dual'], ['mb', 'db']] as const) {
    const r = await fetchFrom(net, `http://${host}:8080/`);
    assert.equal(r.code, 0, `${host} from ${net}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), `served by ${id.slice(0, 12)}`);
  }
  assert.notEqual((await fetchFrom('ma', 'http://db:8080/')).code, 0, 'mb\'s alias resolved on ma');
  // From inside, both networks' containers answer; the default route is the first network's.
  const inside = await ok(['exec', 'dual', 'sh', '-c', 'timeout 5 wget -qO- http://wa:8080/ && timeout 5 wget -qO- http://wb:8080/ && ip route']);
  assert.match(inside, /served by .*\nserved by /);
  assert.match(inside, /default via 10\.89\.201\.1 dev eth0/);
  assert.match(inside, /10\.89\.202\.0\/24 dev eth1/);
});

test('several networks: mixing kinds, naming one twice and a bad address are refused and change nothing', async () => {
  const state = path.join(sb.home, 'networks.json');
  const before = fs.readFileSync(state, 'utf8');
  const cases: Array<[string[], RegExp]> = [
    [['--network', 'ma', '--network', 'host'], /conflicting options: cannot attach both user-defined and non-user-defined/],
    [['--network', 'ma', '--network', 'ma'], /network "ma" is specified multiple times/],
    [['--network', 'ma', '--network', 'name=mb,ip=10.89.201.9'], /outside network mb's subnet/],
    [['--network', 'ma', '--network', 'nosuch'], /network nosuch not found/],
    [['--network', 'name=ma,ip=10.89.201.9', '--ip', '10.89.201.8'], /cannot specify both --ip and per-network IPv4 address/],
  ];
  for (const [flags, re] of cases) {
    const r = await sb.cove(['create', ...flags, 'busybox', 'true']);
    assert.equal(r.code, 125, flags.join(' '));
    assert.match(r.stderr, re);
  }
  assert.equal(fs.readFileSync(state, 'utf8'), before);
  assert.equal((await ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort().join(' '), 'dual wa wb');
});

test('network rm -f disconnects the containers (running ones live) and removes the network; -f on a missing one is quiet', async () => {
  const inUse = await sb.cove(['network', 'rm', 'ma']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /has containers on it/);
  assert.equal((await ok(['network', 'rm', '-f', 'ma'])).trim(), 'ma');
  assert.doesNotMatch(await ok(['network', 'ls', '--format', '{{.Name}}']), /^ma$/m);
  // dual lost its eth0 on ma at once, keeps mb (now its primary network) and still answers there.
  const links = await ok(['exec', 'dual', 'ls', '/sys/class/net']);
  assert.deepEqual(links.split(/\s+/).filter(Boolean).sort(), ['eth1', 'lo']);
  assert.equal((await fetchFrom('mb', 'http://db:8080/')).code, 0);
  // wa was only on ma: it runs on, with no network but its loopback.
  assert.deepEqual((await ok(['exec', 'wa', 'ls', '/sys/class/net'])).split(/\s+/).filter(Boolean), ['lo']);
  const missing = await sb.cove(['network', 'rm', '-f', 'nosuch']);
  assert.equal(missing.code, 0, missing.stderr);
  assert.equal(missing.stdout, '');
  assert.equal((await sb.cove(['network', 'rm', 'nosuch'])).code, 1);
  await ok(['rm', '-f', 'dual', 'wa', 'wb']);
  await ok(['network', 'rm', 'mb']);
  const st = JSON.parse(fs.readFileSync(path.join(sb.home, 'networks.json'), 'utf8')) as { networks: unknown[]; endpoints: unknown[] };
  assert.deepEqual(st, { networks: [], endpoints: [] });
});
