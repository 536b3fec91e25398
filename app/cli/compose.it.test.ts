// cove compose against real rootless containers: a three-service project
// (a web service built from a Dockerfile that answers HTTP with what it
// fetches from a key-value service by service name, plus a worker), health
// gating, idempotent up, one changed service recreated alone, scaling,
// down -v, config merging, and bad input that creates nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { busyboxSandbox, freePort, runProcess, type CliResult, type CoveSandbox } from '../testing/harness.js';
import { dockerCliAvailable, startDockerService } from '../testing/docker-service.js';

let sb: CoveSandbox;
let dir: string;
let webPort: number;

// The probes run each second: quick enough for a test, as compose files for development set them.
const PROJECT = `name: demo
services:
  kv:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo value-from-kv > /www/greeting && echo kv ready && exec httpd -f -v -p 80 -h /www"]
    init: true
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/greeting"]
      interval: 1s
      timeout: 2s
      retries: 10
    volumes:
      - data:/data
  web:
    build: ./web
    init: true
    stop_grace_period: 1s
    ports:
      - "\${WEB_PORT}:8080"
    depends_on:
      kv:
        condition: service_healthy
  worker:
    image: busybox
    init: true
    stop_grace_period: 1s
    command: ["sh", "-c", "echo worker $$WORKER_MODE started; while true; do sleep 1; done"]
    environment:
      WORKER_MODE: \${WORKER_MODE:-a}
    depends_on: [kv]
volumes:
  data: {}
`;

const DOCKERFILE = `FROM busybox
COPY data /www/cgi-bin/data
RUN chmod 755 /www/cgi-bin/data
CMD ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"]
`;
const CGI = '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "web got: $(wget -q -O- http://kv/greeting)"\n';

function compose(args: string[], env: Record<string, string> = {}, file = path.join(dir, 'compose.yaml')): Promise<CliResult> {
  Object.assign(sb.env, { WEB_PORT: String(webPort), WORKER_MODE: 'a' }, env);
  return sb.cove(['compose', '-f', file, ...args], { timeoutMs: 120_000 });
}

async function ok(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await compose(args, env);
  assert.equal(r.code, 0, `compose ${args.join(' ')}: ${r.stderr}`);
  return r;
}

function get(port: number, pathname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathname }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** name -> id of the project's containers. */
async function ids(): Promise<Map<string, string>> {
  const r = await ok(['ps', '-a', '--format', '{{.Name}} {{.ID}}']);
  return new Map(r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** What the store holds: containers, user networks and volumes, for "nothing created / nothing left". */
async function inventory(): Promise<string> {
  const c = await sb.cove(['ps', '-a', '--format', '{{.Names}}']);
  const n = await sb.cove(['network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}}']);
  const v = await sb.cove(['volume', 'ls', '--format', '{{.Name}}']);
  return [c.stdout, n.stdout, v.stdout].map((s) => s.trim()).join('|');
}

before(async () => {
  sb = await busyboxSandbox('cove-compose-run-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-compose-demo-'));
  fs.mkdirSync(path.join(dir, 'web'));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), PROJECT);
  fs.writeFileSync(path.join(dir, 'web', 'Dockerfile'), DOCKERFILE);
  fs.writeFileSync(path.join(dir, 'web', 'data'), CGI);
  webPort = await freePort();
});

after(async () => {
  await compose(['down', '-v', '-t', '0']).catch(() => undefined);
  await sb.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('up -d --build: kv healthy before web starts, web answers with what it fetched from kv by name, ps shows health, logs are merged', async () => {
  const up = await ok(['up', '-d', '--build']);
  assert.match(up.stderr, / ✔ Service web {2}Built/);
  assert.match(up.stderr, / ✔ Network demo_default {2}Created/);
  assert.match(up.stderr, / ✔ Volume "demo_data" {2}Created/);
  for (const c of ['demo-kv-1', 'demo-web-1', 'demo-worker-1']) assert.match(up.stderr, new RegExp(` ✔ Container ${c} {2}Started`));
  // depends_on service_healthy: web is created only once kv's healthcheck passed.
  const healthy = up.stderr.indexOf(' ✔ Container demo-kv-1  Healthy');
  assert.ok(healthy > 0, up.stderr);
  assert.ok(up.stderr.indexOf('Container demo-web-1  Creating') > healthy, up.stderr);

  assert.equal((await get(webPort, '/cgi-bin/data')).trim(), 'web got: value-from-kv');

  const ps = await ok(['ps']);
  assert.match(ps.stdout, /^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/m);
  assert.match(ps.stdout, /^demo-kv-1\s.*\skv\s.*Up .*\(healthy\)/m);
  assert.match(ps.stdout, new RegExp(`^demo-web-1\\s+demo-web(:latest)?\\s.*0\\.0\\.0\\.0:${webPort}->8080/tcp`, 'm'));

  const logs = await ok(['logs']);
  assert.match(logs.stdout, /^kv-1 {6}\| kv ready$/m);
  assert.match(logs.stdout, /^worker-1 {2}\| worker a started$/m);
  // Not a terminal: no colour.
  assert.ok(!logs.stdout.includes('\u001b['), logs.stdout);
  const ls = await ok(['ls']);
  assert.match(ls.stdout, new RegExp(`^demo\\s+running\\(3\\)\\s+${path.join(dir, 'compose.yaml').replace(/[.]/g, '\\.')}$`, 'm'));
});

test('up -d twice recreates nothing; one changed environment recreates that service alone', async () => {
  const before = await ids();
  const again = await ok(['up', '-d']);
  assert.doesNotMatch(again.stderr, /Recreate|Creating/);
  assert.match(again.stderr, / ✔ Container demo-web-1 {2}Running/);
  assert.deepEqual(await ids(), before);

  const changed = await ok(['up', '-d'], { WORKER_MODE: 'b' });
  assert.match(changed.stderr, / ✔ Container demo-worker-1 {2}Recreated/);
  const after = await ids();
  assert.notEqual(after.get('demo-worker-1'), before.get('demo-worker-1'));
  assert.equal(after.get('demo-kv-1'), before.get('demo-kv-1'));
  assert.equal(after.get('demo-web-1'), before.get('demo-web-1'));
  assert.match((await ok(['logs', 'worker'], { WORKER_MODE: 'b' })).stdout, /worker b started/);
});

test('--scale worker=3: three distinct containers, all behind the service name', async () => {
  const r = await ok(['up', '-d', '--scale', 'worker=3'], { WORKER_MODE: 'b' });
  assert.match(r.stderr, / ✔ Container demo-worker-3 {2}Started/);
  const names = [...(await ids()).keys()].filter((n) => n.startsWith('demo-worker-')).sort();
  assert.deepEqual(names, ['demo-worker-1', 'demo-worker-2', 'demo-worker-3']);
  const lookup = await ok(['exec', '-T', 'kv', 'nslookup', 'worker'], { WORKER_MODE: 'b' });
  const addresses = new Set([...lookup.stdout.matchAll(/^Address: (10\.[0-9.]+)$/gm)].map((m) => m[1]));
  assert.equal(addresses.size, 3, lookup.stdout);
  for (const n of names) assert.match((await ok(['exec', '-T', 'kv', 'nslookup', n], { WORKER_MODE: 'b' })).stdout, /^Address: 10\./m, n);
  // A one-off container on the project network, removed after it ran.
  const oneoff = await ok(['run', '--rm', 'worker', 'wget', '-q', '-O-', 'http://kv/greeting'], { WORKER_MODE: 'b' });
  assert.equal(oneoff.stdout, 'value-from-kv\n');
  assert.equal([...(await ids()).keys()].filter((n) => n.includes('-run-')).length, 0);
});

test('down -v leaves no container, network or volume of the project', async () => {
  const r = await ok(['down', '-v']);
  assert.match(r.stderr, / ✔ Network demo_default {2}Removed/);
  assert.match(r.stderr, / ✔ Volume demo_data {2}Removed/);
  assert.equal(await inventory(), '||');
});

test('config: two -f files merged, with interpolation', async () => {
  const a = path.join(dir, 'base.yaml');
  const b = path.join(dir, 'override.yaml');
  fs.writeFileSync(a, 'name: merged\nservices:\n  app:\n    image: busybox\n    environment:\n      GREETING: ${GREETING:-hello}\n      KEEP: base\n');
  fs.writeFileSync(b, 'services:\n  app:\n    command: ["echo", "${GREETING}"]\n    environment:\n      GREETING: overridden-${SUFFIX}\n');
  sb.env.SUFFIX = 'x1';
  sb.env.GREETING = 'from-env';
  const r = await sb.cove(['compose', '-f', a, '-f', b, 'config']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^name: merged$/m);
  assert.match(r.stdout, /GREETING: overridden-x1/);
  assert.match(r.stdout, /KEEP: base/);
  assert.match(r.stdout, /- from-env/);
  const services = await sb.cove(['compose', '-f', a, '-f', b, 'config', '--services']);
  assert.equal(services.stdout, 'app\n');
  assert.equal(await inventory(), '||');
});

test('bad input: each case gives its error and creates nothing', async () => {
  const holder = net.createServer();
  const busy = await freePort();
  await new Promise<void>((resolve) => holder.listen(busy, '0.0.0.0', resolve));
  const cases: Array<[string, string, RegExp]> = [
    ['yaml', 'services:\n  web:\n    image: busybox\n   ports: [1\n', /compose\.yaml:4:\d+: invalid YAML/],
    ['schema', 'services:\n  web:\n    image: busybox\n    imagee: x\n', /services\.web: additional property "imagee" is not allowed/],
    ['cycle', 'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n', /dependency cycle detected: a -> b -> a/],
    ['service', 'services:\n  web:\n    image: busybox\n    depends_on: [db]\n', /service "web" depends on undefined service "db"/],
    ['network', 'services:\n  web:\n    image: busybox\n    networks: [front]\n', /service "web" refers to undefined network front/],
    ['volume', 'services:\n  web:\n    image: busybox\n    volumes: ["data:/data"]\n', /service "web" refers to undefined volume data/],
    ['variable', 'services:\n  web:\n    image: "busybox:${TAG:?set TAG to the release}"\n', /required variable TAG is missing a value: set TAG to the release/],
    ['external', 'services:\n  web:\n    image: busybox\n    networks: [shared]\nnetworks:\n  shared:\n    external: true\n', /network shared declared as external, but could not be found/],
    ['port', `services:\n  one:\n    image: busybox\n    command: ["sleep", "60"]\n  web:\n    image: busybox\n    ports: ["${busy}:80"]\n`, new RegExp(`host port 0\\.0\\.0\\.0:${busy}/tcp is already in use`)],
    ['twice', 'services:\n  a:\n    image: busybox\n    ports: ["18181:80"]\n  b:\n    image: busybox\n    ports: ["18181:80"]\n', /host port 18181\/tcp is published by services "a" and "b"/],
  ];
  try {
    for (const [name, text, message] of cases) {
      const sub = path.join(dir, `bad-${name}`);
      fs.mkdirSync(sub);
      fs.writeFileSync(path.join(sub, 'compose.yaml'), text);
      delete sb.env.TAG;
      const r = await sb.cove(['compose', '-f', path.join(sub, 'compose.yaml'), 'up', '-d']);
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, message, name);
    }
    assert.equal(await inventory(), '||', 'no case created anything');
  } finally {
    holder.close();
  }
});

test('a failure mid-up leaves the started services and names the failed one', async () => {
  const sub = path.join(dir, 'sick');
  fs.mkdirSync(sub);
  fs.writeFileSync(
    path.join(sub, 'compose.yaml'),
    'name: sick\nservices:\n  db:\n    image: busybox\n    init: true\n    command: ["sleep", "300"]\n    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n      retries: 1\n  app:\n    image: busybox\n    command: ["sleep", "300"]\n    depends_on:\n      db:\n        condition: service_healthy\n',
  );
  const file = path.join(sub, 'compose.yaml');
  const r = await sb.cove(['compose', '-f', file, 'up', '-d']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /service "app": dependency failed to start: container sick-db-1 is unhealthy/);
  assert.match(r.stderr, / ✘ Container sick-db-1 {2}Error/);
  const ps = await sb.cove(['compose', '-f', file, 'ps', '-a', '--format', '{{.Name}} {{.State}}']);
  assert.equal(ps.stdout, 'sick-db-1 running\n');
  const down = await sb.cove(['compose', '-p', 'sick', 'down', '-t', '0']);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(await inventory(), '||');
});

test('service_completed_successfully: the dependent starts once the dependency exited 0; stop and start by service', async () => {
  const sub = path.join(dir, 'done');
  fs.mkdirSync(sub);
  const file = path.join(sub, 'compose.yaml');
  fs.writeFileSync(file, 'name: done\nservices:\n  setup:\n    image: busybox\n    command: ["sh", "-c", "sleep 1; echo set up"]\n  app:\n    image: busybox\n    init: true\n    command: ["sleep", "300"]\n    depends_on:\n      setup:\n        condition: service_completed_successfully\n');
  const cc = async (args: string[]): Promise<CliResult> => {
    const r = await sb.cove(['compose', '-f', file, ...args], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `compose ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const up = await cc(['up', '-d']);
  const exited = up.stderr.indexOf(' ✔ Container done-setup-1  Exited');
  assert.ok(exited > 0, up.stderr);
  assert.ok(up.stderr.indexOf(' ✔ Container done-app-1  Started') > exited, up.stderr);
  await cc(['stop', '-t', '1', 'app']);
  assert.equal((await cc(['ps', '-a', '--format', '{{.Name}} {{.State}}'])).stdout, 'done-app-1 exited\ndone-setup-1 exited\n');
  await cc(['start', 'app']);
  assert.equal((await cc(['ps', '--format', '{{.Name}} {{.State}}'])).stdout, 'done-app-1 running\n');
  // rm names what it removes and asks; with no terminal to ask on it refuses, -f removes.
  const asked = await sb.cove(['compose', '-f', file, 'rm'], { timeoutMs: 60_000 });
  assert.equal(asked.code, 1, asked.stderr);
  assert.match(asked.stderr, /Going to remove done-setup-1\nRefusing to continue without a terminal/);
  await cc(['rm', '-f']);
  assert.equal((await cc(['ps', '-a', '--format', '{{.Name}}'])).stdout, 'done-app-1\n');
  assert.match((await cc(['rm', '-f'])).stderr, /No stopped containers/);
  await cc(['down', '-t', '0']);
  assert.equal(await inventory(), '||');
});

const DOCKER_COMPOSE = '/usr/bin/docker-compose';
// npm test installs Debian's docker-compose as root; elsewhere it may be missing.
const noDockerCompose = !dockerCliAvailable() ? 'no docker CLI for the Docker API service' : !fs.existsSync(DOCKER_COMPOSE) ? 'no docker-compose (apt-get install docker-compose)' : false;

test("docker-compose 1.29 (through Cove's Docker API) and cove compose see and take down each other's projects", { skip: noDockerCompose }, async () => {
  const svc = await startDockerService(sb);
  const sub = path.join(dir, 'cross');
  fs.mkdirSync(sub);
  fs.writeFileSync(path.join(sub, 'docker-compose.yml'), 'version: "3"\nservices:\n  app:\n    image: busybox\n    command: ["sh", "-c", "trap \'exit 0\' TERM; while true; do sleep 1 & wait; done"]\n');
  const dc = (args: string[]): Promise<CliResult> => runProcess(DOCKER_COMPOSE, args, { cwd: sub, env: svc.env, timeoutMs: 120_000 });
  const cc = (args: string[]): Promise<CliResult> => sb.cove(['compose', '--project-directory', sub, ...args], { timeoutMs: 120_000 });
  try {
    const up = await cc(['-p', 'xr', 'up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    const ps = await dc(['-p', 'xr', 'ps']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /^xr-app-1\s.*\sUp/m);
    const down = await dc(['-p', 'xr', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await inventory(), '||');

    const dcUp = await dc(['-p', 'dc', 'up', '-d']);
    assert.equal(dcUp.code, 0, dcUp.stderr);
    const ls = await sb.cove(['compose', 'ls']);
    assert.match(ls.stdout, /^dc\s+running\(1\)\s/m);
    const cps = await cc(['-p', 'dc', 'ps', '--format', '{{.Name}} {{.Service}} {{.State}}']);
    assert.equal(cps.stdout, 'dc_app_1 app running\n');
    const cdown = await sb.cove(['compose', '-p', 'dc', 'down', '-t', '1']);
    assert.equal(cdown.code, 0, cdown.stderr);
    assert.match(cdown.stderr, / ✔ Network dc_default {2}Removed/);
    assert.equal(await inventory(), '||');
  } finally {
    await dc(['-p', 'dc', 'down']).catch(() => undefined);
    await dc(['-p', 'xr', 'down']).catch(() => undefined);
    await svc.stop();
  }
});
