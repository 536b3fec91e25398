// `--runtime runc` on user-defined networks (issue 11): runc joins the
// holder's user namespace with its mappings, and the holder attaches the
// container from runc's createContainer hook. Real containers as the test
// user, next to containers of Cove's runtime on the same network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { busyboxSandbox, eventually, freePort, okRunner, type CoveSandbox } from '../../testing/harness.js';

const haveRunc = ['/usr/sbin/runc', '/usr/bin/runc'].some((p) => fs.existsSync(p));
const skip = haveRunc ? false : 'runc is not installed (sudo apt-get install runc)';

let sb: CoveSandbox;
before(async () => {
  if (haveRunc) sb = await busyboxSandbox('cove-it-netrunc-');
});
after(async () => {
  await sb?.cleanup();
});
const ok = okRunner(() => sb);

const WEB = (text: string): string[] => ['sh', '-c', `echo ${text} > /tmp/index.html; exec httpd -f -p 8080 -h /tmp`];
const fetchFrom = (net: string, url: string, runtime: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  sb.cove(['run', '--rm', '--runtime', runtime, '--network', net, 'busybox', 'sh', '-c', 'timeout 5 wget -qO- "$0"; exit $?', url]);
const get = (url: string): Promise<string> =>
  new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });

test('runc containers on a user network: reached by name from both runtimes, reach Cove-runtime ones, publish ports, connect and disconnect while running, come back after kill -9 of the holder', { skip }, async () => {
  await ok(['network', 'create', 'rn']);
  await ok(['network', 'create', 'rn2']);
  const port = await freePort();
  await ok(['run', '-d', '--runtime', 'runc', '--name', 'rweb', '--network', 'rn', '--network-alias', 'rw', '-p', `127.0.0.1:${port}:8080`, 'busybox', ...WEB('from-runc')]);
  await ok(['run', '-d', '--name', 'cweb', '--network', 'rn', 'busybox', ...WEB('from-cove')]);
  for (const [host, runtime, want] of [
    ['rweb', 'cove', 'from-runc'],
    ['rw', 'runc', 'from-runc'],
    ['cweb', 'runc', 'from-cove'],
  ] as const) {
    const r = await fetchFrom('rn', `http://${host}:8080/`, runtime);
    assert.equal(r.code, 0, `${host} from a ${runtime} container: ${r.stderr}`);
    assert.equal(r.stdout.trim(), want);
  }
  // The published port reaches the runc container.
  assert.equal(await eventually(async () => (await get(`http://127.0.0.1:${port}/`).catch(() => '')).trim() || undefined, 10_000, 'HTTP answer'), 'from-runc');
  // Connected to a second network while running (the holder attaches it by its pid), then disconnected.
  const subnet2 = (JSON.parse(await ok(['network', 'inspect', 'rn2'])) as Array<{ IPAM: { Config: Array<{ Subnet: string }> } }>)[0]?.IPAM.Config[0]?.Subnet ?? '';
  const prefix2 = subnet2.split('.').slice(0, 3).join('.') + '.';
  const addrs = async (): Promise<string> => ok(['exec', 'rweb', 'ip', '-o', '-4', 'addr', 'show']);
  await ok(['network', 'connect', 'rn2', 'rweb']);
  // In the container's own namespace (the one its hook handed over), not another's.
  assert.ok((await addrs()).includes(`inet ${prefix2}`), `no ${subnet2} address in rweb after connect:\n${await addrs()}`);
  const on2 = await fetchFrom('rn2', 'http://rweb:8080/', 'cove');
  assert.equal(on2.code, 0, on2.stderr);
  assert.equal(on2.stdout.trim(), 'from-runc');
  await ok(['network', 'disconnect', 'rn2', 'rweb']);
  assert.ok(!(await addrs()).includes(`inet ${prefix2}`), `rweb kept its ${subnet2} address after disconnect`);
  const gone = await fetchFrom('rn2', 'http://rweb:8080/', 'cove');
  assert.notEqual(gone.code, 0, 'rweb still answers on rn2 after disconnect');
  // Stopped and started again: attached again from the hook, same name and port.
  await ok(['stop', '-t', '1', 'rweb']);
  await ok(['start', 'rweb']);
  const again = await fetchFrom('rn', 'http://rweb:8080/', 'cove');
  assert.equal(again.stdout.trim(), 'from-runc', again.stderr);
  assert.equal(await eventually(async () => (await get(`http://127.0.0.1:${port}/`).catch(() => '')).trim() || undefined, 10_000, 'HTTP answer after restart'), 'from-runc');
  // kill -9 of the holder: the next network command starts one that attaches the runc container again (its process has exec'd, so /proc/PID/ns/net is open to it).
  const holderPids = (): number[] => {
    try {
      return fs.readFileSync(path.join(sb.home, 'run', 'net-holder.pid'), 'utf8').trim().split(/\s+/).map(Number);
    } catch {
      return [];
    }
  };
  const [sup, srv] = holderPids();
  assert.ok(sup && srv, 'a holder runs');
  process.kill(sup, 'SIGKILL');
  await eventually(() => !fs.existsSync(`/proc/${srv}`), 5000, 'the holder server gone with its supervisor');
  await ok(['network', 'ls']);
  const revived = await fetchFrom('rn', 'http://rweb:8080/', 'cove');
  assert.equal(revived.stdout.trim(), 'from-runc', revived.stderr);
  assert.equal(await eventually(async () => (await get(`http://127.0.0.1:${port}/`).catch(() => '')).trim() || undefined, 10_000, 'the published port after the holder came back'), 'from-runc');
  await ok(['rm', '-f', 'rweb', 'cweb']);
  await ok(['network', 'rm', 'rn', 'rn2']);
});
