// The real docker CLI (28, API 1.50) against Cove's Docker API socket, as
// the test user: the commands scripts and developers type most.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { eventually, freePort } from '../testing/harness.js';
import { NO_DOCKER_CLI, dockerSuite } from '../testing/docker-service.js';

// The docker CLI is part of these machines' image (/usr/local/bin/docker); nothing here downloads it.
const skip = NO_DOCKER_CLI;
const suite = dockerSuite('cove-docker-', {
  cleanup: async ({ svc }) => {
    await svc.docker(['rm', '-f', 'web', 'logger', 'att', 'both', 'late']);
    await svc.docker(['network', 'rm', 'dnet1', 'dnet2']);
  },
});
const ok = (args: string[], input?: string): Promise<string> => suite.ok(args, input === undefined ? {} : { input });

function httpStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

test('the socket is 0600 in a 0700 directory', { skip }, () => {
  assert.equal(fs.statSync(suite.svc.socket).mode & 0o777, 0o600);
  assert.equal(fs.statSync(suite.sb.home + '/run').mode & 0o777, 0o700);
});

test('docker version and info name Cove as the server', { skip }, async () => {
  const v = await ok(['version', '--format', '{{.Server.APIVersion}} {{.Server.Version}}']);
  assert.match(v.trim(), /^1\.50 \d+\.\d+\.\d+$/);
  const info = JSON.parse(await ok(['info', '--format', '{{json .}}'])) as { Images: number; OSType: string; Driver: string };
  assert.equal(info.Images, 1);
  assert.equal(info.OSType, 'linux');
});

test('docker images lists the loaded busybox', { skip }, async () => {
  assert.match(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), /^busybox:latest$/m);
});

test('run -d -p publishes a port; ps --format/--filter and inspect show it', { skip }, async () => {
  const port = await freePort();
  const id = (await ok(['run', '-d', '--name', 'web', '-p', `${port}:80`, '-e', 'GREETING=hi', 'busybox', 'httpd', '-f', '-p', '80'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  // busybox httpd answers 404 for / without an index: any status proves the port reaches it.
  assert.equal(await eventually(() => httpStatus(port).catch(() => 0), 10_000, 'the published port'), 404);
  assert.equal((await ok(['ps', '--filter', 'name=web', '--format', '{{.Names}} {{.State}}'])).trim(), 'web running');
  assert.equal((await ok(['ps', '--filter', 'status=exited', '--format', '{{.Names}}'])).trim(), '');
  assert.equal((await ok(['inspect', '-f', '{{.State.Status}}', 'web'])).trim(), 'running');
  const ports = JSON.parse(await ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'web'])) as Record<string, Array<{ HostPort: string }>>;
  assert.equal(ports['80/tcp']?.[0]?.HostPort, String(port));
  const env = JSON.parse(await ok(['inspect', '-f', '{{json .Config.Env}}', 'web'])) as string[];
  assert.ok(env.includes('GREETING=hi'), env.join(' '));
  assert.equal((await ok(['stop', '-t', '1', 'web'])).trim(), 'web');
  assert.equal((await ok(['inspect', '-f', '{{.State.Status}}', 'web'])).trim(), 'exited');
  assert.equal((await ok(['rm', '-f', 'web'])).trim(), 'web');
  const gone = await suite.svc.docker(['inspect', 'web']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such (object|container): web/);
});

test('run in the foreground: output, stderr apart, exit code, stdin, a missing command is 127', { skip }, async () => {
  const hi = await suite.svc.docker(['run', '--rm', 'busybox', 'echo', 'hi']);
  assert.deepEqual([hi.code, hi.stdout], [0, 'hi\n'], hi.stderr);
  const mixed = await suite.svc.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual([mixed.code, mixed.stdout, mixed.stderr], [3, 'out\n', 'err\n']);
  const piped = await suite.svc.docker(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'piped\n' });
  assert.deepEqual([piped.code, piped.stdout], [0, 'piped\n'], piped.stderr);
  const missing = await suite.svc.docker(['run', '--rm', 'busybox', 'no-such-command']);
  assert.equal(missing.code, 127, missing.stderr);
  assert.match(missing.stderr, /no-such-command/);
  assert.equal((await ok(['ps', '-aq'])).trim(), '', '--rm containers are gone, the failed one too');
});

test('attach to a running container receives its output and its exit code', { skip }, async () => {
  await ok(['run', '-d', '--name', 'att', 'busybox', 'sh', '-c', 'sleep 1; echo late; exit 4']);
  const r = await suite.svc.docker(['attach', 'att']);
  assert.deepEqual([r.code, r.stdout], [4, 'late\n'], r.stderr);
  await ok(['rm', 'att']);
});

test('logs, logs -f that ends with the container, and stderr kept apart', { skip }, async () => {
  await ok(['run', '-d', '--name', 'logger', 'busybox', 'sh', '-c', 'echo out-1; echo err-1 >&2; sleep 1; echo out-2']);
  const followed = await suite.svc.docker(['logs', '-f', 'logger'], { timeoutMs: 20_000 });
  assert.equal(followed.code, 0);
  assert.equal(followed.stdout, 'out-1\nout-2\n');
  assert.equal(followed.stderr, 'err-1\n');
  const tail = await ok(['logs', '--tail', '1', 'logger']);
  assert.equal(tail, 'out-2\n');
  await ok(['rm', 'logger']);
});

test('volume create, ls, inspect, rm', { skip }, async () => {
  assert.equal((await ok(['volume', 'create', 'dvol'])).trim(), 'dvol');
  assert.match(await ok(['volume', 'ls', '--format', '{{.Name}} {{.Driver}}']), /^dvol local$/m);
  assert.equal((await ok(['volume', 'inspect', '-f', '{{.Name}}', 'dvol'])).trim(), 'dvol');
  await ok(['volume', 'rm', 'dvol']);
  assert.doesNotMatch(await ok(['volume', 'ls', '-q']), /dvol/);
});

test('network create, run on two networks, connect and disconnect: names resolve on each network they share', { skip }, async () => {
  await ok(['network', 'create', 'dnet1']);
  await ok(['network', 'create', '--subnet', '10.89.77.0/24', 'dnet2']);
  assert.match(await ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']), /^dnet1 bridge$/m);
  // Two --network flags: one create whose EndpointsConfig names both.
  await ok(['run', '-d', '--name', 'both', '--network', 'dnet1', '--network', 'dnet2', 'busybox', 'sleep', '300']);
  const nets = await ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'both']);
  assert.deepEqual(nets.trim().split(' ').sort(), ['dnet1', 'dnet2']);
  const lookup = (net: string, name: string) => suite.svc.docker(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', 'timeout 5 nslookup "$0"; exit $?', name]);
  for (const n of ['dnet1', 'dnet2']) assert.equal((await lookup(n, 'both')).code, 0, `both on ${n}`);
  await ok(['run', '-d', '--name', 'late', '--network', 'dnet1', 'busybox', 'sleep', '300']);
  assert.notEqual((await lookup('dnet2', 'late')).code, 0, 'late is not on dnet2 yet');
  await ok(['network', 'connect', '--alias', 'latecomer', 'dnet2', 'late']);
  assert.equal((await lookup('dnet2', 'latecomer')).code, 0, 'the alias given at connect');
  assert.match(await ok(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{end}}', 'dnet2']), /late/);
  await ok(['network', 'disconnect', 'dnet2', 'late']);
  assert.notEqual((await lookup('dnet2', 'late')).code, 0, 'late is gone from dnet2');
  await ok(['rm', '-f', 'both', 'late']);
  await ok(['network', 'rm', 'dnet1', 'dnet2']);
  assert.doesNotMatch(await ok(['network', 'ls', '--format', '{{.Name}}']), /dnet/);
});

test('events streams a container lifecycle; system df counts', { skip }, async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const events = suite.svc.docker(['events', '--since', String(since), '--until', String(since + 7), '--filter', 'type=container', '--format', '{{.Action}}'], { timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 500));
  await ok(['run', '-d', '--name', 'evt', 'busybox', 'true']);
  await eventually(async () => (await ok(['inspect', '-f', '{{.State.Status}}', 'evt'])).trim() === 'exited', 10_000, 'evt to exit');
  await ok(['rm', 'evt']);
  const r = await events;
  assert.equal(r.code, 0, r.stderr);
  const actions = r.stdout.split('\n').filter(Boolean);
  for (const a of ['create', 'start', 'destroy']) assert.ok(actions.includes(a), `events lacked ${a}: ${actions.join(',')}`);
  const df = await ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
  assert.match(df, /^Images 1$/m);
});

test('a malformed request, a bad version and an unknown endpoint leave the server serving', { skip }, async () => {
  const raw = (text: string): Promise<string> =>
    new Promise((resolve) => {
      const c = net.connect(suite.svc.socket, () => c.end(text));
      let out = '';
      c.on('data', (d: Buffer) => (out += d.toString()));
      c.on('close', () => resolve(out));
      c.on('error', () => resolve(out));
    });
  assert.match(await raw('GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw('GET /v9.99/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400[^]*too new/);
  assert.match(await raw('GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 404/);
  assert.match(await raw('POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"Im'), /^HTTP\/1\.1 400/);
  assert.match(await ok(['version', '--format', '{{.Server.Version}}']), /\d/);
});
