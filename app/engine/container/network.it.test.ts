// Networking through slirp4netns (issue 5): published TCP and UDP ports,
// a second container on --network container:, a clear port conflict, and
// outbound access to a test host in a network namespace of the suite's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import { installPaths } from '../install-paths.js';
import { busyboxSandbox, eventually, type CoveSandbox, okRunner, freePort } from '../../testing/harness.js';
import path from 'node:path';
import fs from 'node:fs';

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox();
});
after(async () => sb?.cleanup());

const ok = okRunner(() => sb);

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test('a server in a container answers on a published TCP port; a second container on its network reaches it on localhost', async () => {
  const port = await freePort();
  await ok(['run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', 'echo served-by-web > /tmp/index.html; exec httpd -f -p 80 -h /tmp']);
  assert.equal(await eventually(async () => (await get(`http://127.0.0.1:${port}/`).catch(() => '')).trim() || undefined, 10_000, 'HTTP answer'), 'served-by-web');
  assert.equal((await ok(['port', 'web'])).trim(), `80/tcp -> 127.0.0.1:${port}`);
  assert.match(await ok(['ps']), new RegExp(`127\\.0\\.0\\.1:${port}->80/tcp .*web`));
  const side = await ok(['run', '--rm', '--network', 'container:web', 'busybox', 'wget', '-qO-', 'http://127.0.0.1:80/']);
  assert.equal(side.trim(), 'served-by-web');
  // The same host port again: a clear error that names it, and no container left running.
  const clash = await sb.cove(['run', '-d', '--name', 'clash', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sleep', '100']);
  assert.equal(clash.code, 125);
  assert.match(clash.stderr, new RegExp(`host port ${port}/tcp .*already in use.*\\[E_PORT_IN_USE\\]`));
  assert.doesNotMatch(await ok(['ps']), /clash/);
  await ok(['rm', '-f', 'clash']);
  // slirp4netns ends with its container.
  const pid = Number(fs.readFileSync(path.join(sb.home, 'containers', (await ok(['inspect', 'web'])).match(/"Id": "([a-f0-9]{64})"/)![1]!, 'pid'), 'utf8'));
  await ok(['rm', '-f', 'web']);
  assert.equal(fs.existsSync(`/proc/${pid}`), false);
  await eventually(async () => !(await slirpProcesses()).length, 5000, 'no slirp4netns left');
});

async function slirpProcesses(): Promise<number[]> {
  const me = process.getuid?.();
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        // Ours only: other suites of the same user run their own slirp4netns meanwhile.
        return fs.readFileSync(`/proc/${n}/comm`, 'utf8').trim() === 'slirp4netns' && fs.statSync(`/proc/${n}`).uid === me && fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(sb.home);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const hostIp = process.env.COVE_TEST_NET_HOST_IP;
const serverUrl = process.env.COVE_TEST_NET_SERVER_URL;

test('UDP: a published port answers a client on the host', { skip: hostIp ? false : 'needs the test network namespace that npm test creates as root (COVE_TEST_NET_HOST_IP)' }, async () => {
  const probe = path.join(installPaths().nativeDir, 'netprobe');
  assert.ok(fs.existsSync(probe), `${probe} is built by make -C native test`);
  await ok(['run', '-d', '--name', 'udp', '-p', '0.0.0.0::53/udp', '-v', `${probe}:/netprobe:ro`, 'busybox', '/netprobe', 'udp-echo', '53']);
  const mapped = (await ok(['port', 'udp'])).trim();
  const port = Number(/:(\d+)$/.exec(mapped)?.[1]);
  assert.ok(port > 0, mapped);
  // From the host-side veth address: libslirp drops UDP replies to 127.0.0.1 (podman#4586).
  const reply = await eventually(
    () =>
      new Promise<string | undefined>((resolve) => {
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
        sock.bind(0, hostIp, () => sock.send('ping', port, hostIp));
      }),
    10_000,
    'a UDP reply',
  );
  assert.match(reply, /echo:ping/);
  await ok(['rm', '-f', 'udp']);
});

test('outbound: a container reaches a server in a network namespace of its own, and has its DNS set', { skip: serverUrl ? false : 'needs the test network namespace that npm test creates as root (COVE_TEST_NET_SERVER_URL)' }, async () => {
  const body = await ok(['run', '--rm', 'busybox', 'wget', '-qO-', serverUrl as string]);
  assert.equal(body.trim(), process.env.COVE_TEST_NET_SERVER_BODY);
  const resolv = await ok(['run', '--rm', 'busybox', 'cat', '/etc/resolv.conf']);
  assert.match(resolv, /^nameserver 10\.0\.2\.3$/m);
  const none = await sb.cove(['run', '--rm', '--network', 'none', 'busybox', 'wget', '-T', '2', '-qO-', serverUrl as string]);
  assert.notEqual(none.code, 0, '--network none has no way out');
});

