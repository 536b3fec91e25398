// User-defined networks (issue 11), real containers as the test user: DNS
// by name, alias and short ID; isolation; --internal; published ports on a
// user network; the host through host.docker.internal; kill -9 of the
// engine and of the holder; nothing left after the last container.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { installPaths } from '../install-paths.js';
import { busyboxSandbox, eventually, freePort, okRunner, type CoveSandbox } from '../../testing/harness.js';

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox('cove-it-net-');
});
after(async () => {
  await sb?.cleanup();
});
const ok = okRunner(() => sb);

const WEB = ['sh', '-c', 'echo "served by $(hostname)" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'];
/**
 * busybox wget's own -T crashes (segfault) in this build: the timeout comes
 * from timeout(1), under sh (kept alive by the `exit`, so that it does not
 * exec the command), because PID 1 ignores the SIGTERM timeout sends.
 */
const fetchFrom = (net: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  sb.cove(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', 'timeout 5 wget -qO- "$0"; exit $?', url]);

function holderPids(): number[] {
  try {
    return fs.readFileSync(path.join(sb.home, 'run', 'net-holder.pid'), 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}
const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`);
/** Our own slirp4netns and holder processes: those whose command line names this sandbox's runtime dir. */
function holderProcesses(): number[] {
  const runDir = path.join(sb.home, 'run');
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const cmd = fs.readFileSync(`/proc/${n}/cmdline`, 'utf8');
        return cmd.includes(runDir) && /cove-net-holder|slirp4netns/.test(cmd);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('two containers on one network reach each other by name, alias and short ID; after disconnect the name is gone', async () => {
  await ok(['network', 'create', 'app']);
  const id = (await ok(['run', '-d', '--name', 'web', '--network', 'app', '--network-alias', 'www', 'busybox', ...WEB])).trim();
  for (const host of ['web', 'www', id.slice(0, 12)]) {
    const r = await fetchFrom('app', `http://${host}:8080/`);
    assert.equal(r.code, 0, `${host}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), `served by ${id.slice(0, 12)}`);
  }
  const inspect = JSON.parse(await ok(['network', 'inspect', 'app'])) as Array<{ Containers: Record<string, { Name: string; IPv4Address: string; Aliases: string[] }> }>;
  const ep = inspect[0]?.Containers[id];
  assert.equal(ep?.Name, 'web');
  assert.deepEqual(ep?.Aliases, ['www']);
  assert.match(ep?.IPv4Address ?? '', /^10\.89\.\d+\.\d+\/24$/);
  // A rename is seen by the network's DNS at once, as docker's embedded DNS sees it.
  await ok(['rename', 'web', 'web2']);
  const renamed = await fetchFrom('app', 'http://web2:8080/');
  assert.equal(renamed.code, 0, `web2 after rename: ${renamed.stderr}`);
  const old = await sb.cove(['run', '--rm', '--network', 'app', 'busybox', 'sh', '-c', 'timeout 5 nslookup web; exit $?']);
  assert.notEqual(old.code, 0, `the old name still resolves after rename: ${old.stdout}`);
  await ok(['rename', 'web2', 'web']);
  await ok(['network', 'disconnect', 'app', 'web']);
  const gone = await sb.cove(['run', '--rm', '--network', 'app', 'busybox', 'sh', '-c', 'timeout 5 nslookup web; exit $?']);
  assert.notEqual(gone.code, 0, `web still resolves after disconnect: ${gone.stdout}`);
  await ok(['rm', '-f', 'web']);
});

test('two networks are isolated; a container on both reaches both', async () => {
  await ok(['network', 'create', 'left']);
  await ok(['network', 'create', 'right']);
  await ok(['run', '-d', '--name', 'lw', '--network', 'left', 'busybox', ...WEB]);
  const rid = (await ok(['run', '-d', '--name', 'rw', '--network', 'right', 'busybox', ...WEB])).trim();
  assert.equal((await fetchFrom('left', 'http://lw:8080/')).code, 0);
  const cross = await fetchFrom('left', 'http://rw:8080/');
  assert.notEqual(cross.code, 0, 'a container on left resolved or reached rw on right');
  const rip = (JSON.parse(await ok(['network', 'inspect', 'right'])) as Array<{ Containers: Record<string, { IPv4Address: string }> }>)[0]?.Containers[rid]?.IPv4Address.split('/')[0];
  assert.ok(rip);
  const byIp = await fetchFrom('left', `http://${rip}:8080/`);
  assert.notEqual(byIp.code, 0, `left reached right's address ${rip}`);
  await ok(['create', '--name', 'both', '--network', 'left', 'busybox', 'sh', '-c', 'timeout 5 wget -qO- http://lw:8080/ && timeout 5 wget -qO- http://rw:8080/']);
  await ok(['network', 'connect', '--alias', 'b2', 'right', 'both']);
  const twice = await sb.cove(['network', 'connect', 'right', 'both']);
  assert.equal(twice.code, 125);
  assert.match(twice.stderr, /already connected to network right/);
  await ok(['start', 'both']);
  const out = await eventually(async () => {
    const logs = await ok(['logs', 'both']);
    return (logs.match(/served by/g) ?? []).length === 2 ? logs : undefined;
  }, 15_000, 'both answers in the logs');
  assert.match(out, /served by .*\n.*served by/s);
  await ok(['rm', '-f', 'lw', 'rw', 'both']);
});

const serverUrl = process.env.COVE_TEST_NET_SERVER_URL;
test('--internal has no route out; a normal network reaches the test host', { skip: serverUrl ? false : 'needs the test network namespace that npm test creates as root (COVE_TEST_NET_SERVER_URL)' }, async () => {
  await ok(['network', 'create', '--internal', 'closed']);
  await ok(['network', 'create', 'open']);
  const open = await fetchFrom('open', serverUrl as string);
  assert.equal(open.code, 0, open.stderr);
  assert.equal(open.stdout.trim(), process.env.COVE_TEST_NET_SERVER_BODY);
  const closed = await fetchFrom('closed', serverUrl as string);
  assert.notEqual(closed.code, 0, 'an --internal network reached the test host');
  const route = await ok(['run', '--rm', '--network', 'closed', 'busybox', 'ip', 'route']);
  assert.doesNotMatch(route, /default/);
});

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function udpAsk(port: number, text: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, 500);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m.toString());
    });
    sock.bind(0, '127.0.0.1', () => sock.send(text, port, '127.0.0.1'));
  });
}

test('-p on a user network answers from the host, TCP and UDP', async () => {
  await ok(['network', 'create', 'pub']);
  const tcp = await freePort();
  const udp = await freePort();
  const probe = path.join(installPaths().nativeDir, 'netprobe');
  await ok(['run', '-d', '--name', 'pw', '--network', 'pub', '-p', `127.0.0.1:${tcp}:8080`, '-p', `127.0.0.1:${udp}:53/udp`, '-v', `${probe}:/netprobe:ro`, 'busybox', 'sh', '-c', '/netprobe udp-echo 53 & echo published > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']);
  assert.equal(await eventually(async () => (await get(`http://127.0.0.1:${tcp}/`).catch(() => '')).trim() || undefined, 10_000, 'HTTP answer'), 'published');
  assert.match(await eventually(() => udpAsk(udp, 'ping'), 10_000, 'a UDP reply'), /echo:ping/);
  assert.equal((await ok(['port', 'pw'])).trim().split('\n').sort().join('\n'), [`53/udp -> 127.0.0.1:${udp}`, `8080/tcp -> 127.0.0.1:${tcp}`].join('\n'));
  await ok(['rm', '-f', 'pw']);
  // The forward went with the container: the port is free again.
  assert.equal(await freePortIs(tcp), true);
});

function freePortIs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('host.docker.internal reaches a server on the host 127.0.0.1; --network host sees the host interfaces; --add-host host-gateway', async () => {
  const port = await freePort();
  const srv = http.createServer((_, res) => res.end('host-loopback-server'));
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  try {
    await ok(['network', 'create', 'tohost']);
    for (const net of ['tohost', 'slirp4netns']) {
      const r = await fetchFrom(net, `http://host.docker.internal:${port}/`);
      assert.equal(r.code, 0, `${net}: ${r.stderr}`);
      assert.equal(r.stdout, 'host-loopback-server');
    }
    const gw = await ok(['run', '--rm', '--add-host', 'devbox:host-gateway', '--network', 'tohost', 'busybox', 'sh', '-c', `grep devbox /etc/hosts; timeout 5 wget -qO- http://devbox:${port}/`]);
    assert.match(gw, /^10\.0\.2\.2\tdevbox\nhost-loopback-server$/);
  } finally {
    srv.close();
  }
  const hostIfs = fs.readdirSync('/sys/class/net').sort();
  const seen = (await ok(['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net'])).split(/\s+/).filter(Boolean).sort();
  assert.deepEqual(seen, hostIfs);
});

test('kill -9 of the engine and of the holder: names and ports come back with the next command; nothing is left after the last container', async () => {
  await ok(['network', 'create', 'tough']);
  const port = await freePort();
  await ok(['run', '-d', '--name', 'tw', '--network', 'tough', '-p', `127.0.0.1:${port}:8080`, 'busybox', ...WEB]);
  // The engine (a foreground `cove run`) killed while its container runs: the container stays reachable.
  const fg = sb.spawnCove(['run', '--name', 'fg', '--network', 'tough', 'busybox', 'sleep', '300']);
  await eventually(async () => (await ok(['ps'])).includes(' fg'), 20_000, 'fg running');
  fg.kill('SIGKILL');
  const fgName = await sb.cove(['run', '--rm', '--network', 'tough', 'busybox', 'sh', '-c', 'timeout 5 nslookup fg; exit $?']);
  assert.equal(fgName.code, 0, `fg stopped resolving after its engine died: ${fgName.stdout}`);
  assert.equal((await fetchFrom('tough', 'http://tw:8080/')).code, 0);
  // The holder killed: the next command starts it again and gives back names, addresses and ports.
  const [sup, srv] = holderPids();
  assert.ok(sup && srv && alive(sup) && alive(srv));
  process.kill(sup, 'SIGKILL');
  await eventually(() => !alive(srv), 5000, 'the holder server gone with its supervisor');
  await ok(['network', 'ls']);
  const again = await fetchFrom('tough', 'http://tw:8080/');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await eventually(async () => (await get(`http://127.0.0.1:${port}/`).catch(() => '')).trim() || undefined, 10_000, 'the published port again'), `served by ${(JSON.parse(await ok(['inspect', 'tw'])) as Array<{ Id: string }>)[0]?.Id.slice(0, 12)}`);
  // kill -9 of the server only: the same.
  const [, srv2] = holderPids();
  assert.ok(srv2 && srv2 !== srv);
  process.kill(srv2, 'SIGKILL');
  await eventually(() => holderPids().length === 0, 5000, 'the supervisor cleaned up');
  await ok(['network', 'ls']);
  assert.equal((await fetchFrom('tough', 'http://tw:8080/')).code, 0);
  await ok(['rm', '-f', 'tw', 'fg']);
  await eventually(() => holderProcesses().length === 0, 20_000, 'no holder or slirp4netns left');
  for (const f of ['net-holder.pid', 'net-holder.sock', 'net-slirp.sock', 'net-holder.userns']) assert.equal(fs.existsSync(path.join(sb.home, 'run', f)), false, f);
  const state = JSON.parse(fs.readFileSync(path.join(sb.home, 'networks.json'), 'utf8')) as { endpoints: unknown[] };
  assert.deepEqual(state.endpoints, []);
});

test('bad input: clear errors and nothing changed', async () => {
  await ok(['network', 'create', '--subnet', '10.77.0.0/16', 'first']);
  const before = fs.readFileSync(path.join(sb.home, 'networks.json'), 'utf8');
  const cases: Array<[string[], RegExp]> = [
    [['network', 'create', '--subnet', '10.77.5.0/24', 'overlap'], /overlaps network first/],
    [['network', 'create', 'first'], /already exists/],
    [['network', 'create', '--subnet', '10.78.0.0/33', 'badcidr'], /invalid subnet/],
    [['network', 'create', '--subnet', '10.78.0.0/24', '--gateway', '10.79.0.1', 'badgw'], /invalid gateway/],
    [['network', 'rm', 'nosuch'], /network nosuch not found/],
    [['run', '--rm', '--network', 'nosuch', 'busybox', 'true'], /network nosuch not found/],
    [['run', '--rm', '--network', 'first', '--ip', '10.99.0.5', 'busybox', 'true'], /outside network first's subnet/],
  ];
  for (const [args, re] of cases) {
    const r = await sb.cove(args);
    // docker: `network rm` reports per network and exits 1; the others exit 125.
    assert.equal(r.code, args[1] === 'rm' ? 1 : 125, args.join(' '));
    assert.match(r.stderr, re);
  }
  assert.equal(fs.readFileSync(path.join(sb.home, 'networks.json'), 'utf8'), before);
  await ok(['create', '--name', 'holdip', '--network', 'first', '--ip', '10.77.0.9', 'busybox', 'true']);
  const taken = await sb.cove(['create', '--network', 'first', '--ip', '10.77.0.9', 'busybox', 'true']);
  assert.match(taken.stderr, /10\.77\.0\.9 is already in use/);
  const inUse = await sb.cove(['network', 'rm', 'first']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /has containers on it \(holdip\).*\[E_NETWORK_IN_USE\]/);
  await ok(['rm', 'holdip']);
  assert.equal((await ok(['network', 'rm', 'first'])).trim(), 'first');
  assert.equal((await sb.cove(['ps', '-a', '-q'])).stdout.trim(), '');
});
