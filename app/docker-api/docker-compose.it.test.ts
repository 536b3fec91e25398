// docker-compose 1.29 (Debian's package, which speaks the Docker API)
// against Cove: a two-service project where one service reaches the other
// by name on the project network, then down -v leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxSandbox, eventually, runProcess, type CliResult, type CoveSandbox } from '../testing/harness.js';
import { dockerCliAvailable, startDockerService, type DockerService } from '../testing/docker-service.js';

const COMPOSE = '/usr/bin/docker-compose';
// npm test installs Debian's docker-compose as root; elsewhere it may be missing.
const skip = !dockerCliAvailable() ? 'no docker CLI at /usr/local/bin/docker' : !fs.existsSync(COMPOSE) ? 'no docker-compose (apt-get install docker-compose)' : false;
let sb: CoveSandbox;
let svc: DockerService;
let dir: string;

const COMPOSE_FILE = `version: "3"
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 8080 -h /www'
    volumes: [data:/data]
  client:
    image: busybox
    depends_on: [web]
    command: sh -c 'for i in $$(seq 1 30); do if timeout 2 wget -qO- http://web:8080/; then exit 0; fi; sleep 1; done; exit 1'
volumes:
  data: {}
`;

function compose(args: string[]): Promise<CliResult> {
  return runProcess(COMPOSE, ['-p', 'cvt', ...args], { cwd: dir, env: svc.env, timeoutMs: 120_000 });
}

before(async () => {
  if (skip) return;
  sb = await busyboxSandbox('cove-compose-');
  svc = await startDockerService(sb);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-compose-project-'));
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), COMPOSE_FILE);
});

after(async () => {
  if (skip) return;
  await compose(['down', '-v']).catch(() => undefined);
  await svc.stop();
  await sb.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('docker-compose up -d, ps, logs and down -v against Cove', { skip }, async () => {
  const up = await compose(['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /Creating network "cvt_default"/);
  // The client exits 0 once it fetched the page from "web" by its service name.
  await eventually(async () => /Exit 0/.test((await compose(['ps'])).stdout), 60_000, 'the client to reach web by name');
  const ps = await compose(['ps']);
  assert.match(ps.stdout, /cvt_web_1\s.*\sUp/);
  const logs = await compose(['logs', '--no-color', 'client']);
  assert.match(logs.stdout, /hello from web/);
  const labels = JSON.parse((await svc.docker(['inspect', '-f', '{{json .Config.Labels}}', 'cvt_web_1'])).stdout) as Record<string, string>;
  assert.equal(labels['com.docker.compose.project'], 'cvt');
  assert.equal(labels['com.docker.compose.service'], 'web');
  const down = await compose(['down', '-v']);
  assert.equal(down.code, 0, down.stderr);
  assert.equal((await svc.docker(['ps', '-aq'])).stdout.trim(), '');
  assert.doesNotMatch((await svc.docker(['network', 'ls', '--format', '{{.Name}}'])).stdout, /cvt_default/);
  assert.doesNotMatch((await svc.docker(['volume', 'ls', '-q'])).stdout, /cvt_data/);
});
