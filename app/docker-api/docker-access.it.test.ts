// Who may use the Docker API: another local user cannot connect to the unix
// socket (a real connect as another uid, refused with EACCES); the opt-in
// TCP listener serves loopback only, and only to clients that present the
// token, which the real docker CLI sends from config.json's HttpHeaders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { busyboxSandbox, freePort, type CoveSandbox } from '../testing/harness.js';
import { dockerCliAvailable, startDockerService, type DockerService } from '../testing/docker-service.js';

const skip = dockerCliAvailable() ? false : 'no docker CLI at /usr/local/bin/docker (set COVE_DOCKER_CLI)';
let sb: CoveSandbox;
let svc: DockerService;
let port: number;

before(async () => {
  if (skip) return;
  sb = await busyboxSandbox('cove-docker-access-');
  port = await freePort();
  svc = await startDockerService(sb, ['--tcp', `127.0.0.1:${port}`]);
});

after(async () => {
  if (skip) return;
  await svc?.stop();
  await sb?.cleanup();
});

const CONNECT = "require('net').connect(process.argv[1]).on('connect', () => { console.log('CONNECTED'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })";

/** The first id of ours in /etc/subuid (and subgid), for a process of another uid made without root. */
function subordinateId(file: string): number | null {
  const me = os.userInfo();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [who, start, count] = line.split(':');
    if ((who === me.username || who === String(me.uid)) && Number(count) > 1000) return Number(start);
  }
  return null;
}

/**
 * `node -e CONNECT socket` as a uid that is not ours: as root, setpriv to
 * nobody; as a user, a user namespace whose uid 1 is our first subordinate
 * uid on the host (newuidmap), so the kernel checks the socket's path
 * against that host uid. Null when neither is possible here.
 */
function connectAsAnotherUser(socket: string): { result: string; how: string } | null {
  if (process.getuid?.() === 0) {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', CONNECT, socket], { encoding: 'utf8' });
    return { result: r.stdout.trim() || r.stderr.trim(), how: 'setpriv to nobody (uid 65534)' };
  }
  const uid = fs.existsSync('/etc/subuid') ? subordinateId('/etc/subuid') : null;
  const gid = fs.existsSync('/etc/subgid') ? subordinateId('/etc/subgid') : null;
  if (uid === null || gid === null) return null;
  const r = spawnSync('unshare', [`--map-users=${uid},1,1`, `--map-groups=${gid},1,1`, '--map-root-user', '--setuid=1', '--setgid=1', process.execPath, '-e', CONNECT, socket], { encoding: 'utf8' });
  return { result: r.stdout.trim() || r.stderr.trim(), how: `a user namespace as host uid ${uid}` };
}

test('another local user cannot connect to docker.sock: EACCES, even with the directory opened to others', { skip }, () => {
  const mine = spawnSync(process.execPath, ['-e', CONNECT, svc.socket], { encoding: 'utf8' }).stdout.trim();
  assert.equal(mine, 'CONNECTED', 'the socket answers its owner');
  const other = connectAsAnotherUser(svc.socket);
  if (other === null) return void assert.fail('no way to run as another uid here: neither root nor subordinate ids in /etc/subuid');
  assert.equal(other.result, 'EACCES', other.how);
  assert.equal(fs.statSync(svc.socket).mode & 0o777, 0o600);
  // The socket's own mode refuses too: with the directory searchable by all, only 0600 stands in the way.
  const dir = path.dirname(svc.socket);
  fs.chmodSync(dir, 0o711);
  try {
    assert.equal(connectAsAnotherUser(svc.socket)?.result, 'EACCES');
  } finally {
    fs.chmodSync(dir, 0o700);
  }
});

test('--tcp: loopback only, the token file 0600 in the 0700 runtime dir, and the docker CLI gets in only with the token in HttpHeaders', { skip }, async () => {
  const tokenFile = path.join(sb.home, 'run', 'docker-tcp.token');
  const st = fs.statSync(tokenFile);
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(tokenFile)).mode & 0o777, 0o700);
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const host = `tcp://127.0.0.1:${port}`;
  const withoutToken = await svc.docker(['version', '--format', '{{.Server.APIVersion}}'], { env: { DOCKER_HOST: host } });
  assert.equal(withoutToken.code, 1);
  assert.match(withoutToken.stderr, /Authorization: Bearer <token>/);
  const wrong = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-docker-wrong-'));
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-docker-token-'));
  try {
    fs.writeFileSync(path.join(wrong, 'config.json'), JSON.stringify({ HttpHeaders: { Authorization: `Bearer ${token.slice(0, -1)}x` } }));
    const wrongToken = await svc.docker(['ps'], { env: { DOCKER_HOST: host, DOCKER_CONFIG: wrong } });
    assert.equal(wrongToken.code, 1);
    fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ HttpHeaders: { Authorization: `Bearer ${token}` } }));
    const env = { DOCKER_HOST: host, DOCKER_CONFIG: config };
    const version = await svc.docker(['version', '--format', '{{.Server.APIVersion}}'], { env });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), '1.50');
    // A run attaches (a hijacked connection), so the header reaches that path too.
    const run = await svc.docker(['run', '--rm', 'busybox', 'echo', 'over tcp'], { env, timeoutMs: 60_000 });
    assert.deepEqual([run.code, run.stdout], [0, 'over tcp\n'], run.stderr);
  } finally {
    fs.rmSync(wrong, { recursive: true, force: true });
    fs.rmSync(config, { recursive: true, force: true });
  }
  // Nothing listens on another address of this host for it.
  const refused = await new Promise<string>((resolve) => {
    const c = net.connect({ host: '127.0.0.2', port }, () => {
      c.destroy();
      resolve('CONNECTED');
    });
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
});

test('--tcp on anything but a loopback address is refused before anything is served', { skip }, async () => {
  for (const verb of [['system', 'service'], ['serve']]) {
    for (const address of ['0.0.0.0:2375', '10.0.0.1:2375', '[::]:2375', 'localhost:2375', '127.0.0.1']) {
      const out = await sb.cove([...verb, '--tcp', address], { timeoutMs: 30_000 });
      assert.equal(out.code, 125, `${verb.join(' ')} --tcp ${address}: ${out.stdout}`);
      assert.match(out.stderr, address === '127.0.0.1' ? /expected 127\.0\.0\.1:PORT/ : /refusing --tcp|expected 127\.0\.0\.1:PORT/);
      assert.doesNotMatch(out.stdout, /DOCKER_HOST|web UI/);
    }
  }
});
