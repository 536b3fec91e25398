// Images through the Docker API with a real registry (docker tag, push, rmi,
// pull), docker build with the classic builder API, and testcontainers (the npm package) driving Cove as
// it drives Docker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eventually, fixtures } from '../testing/harness.js';
import { startRegistry, type TestRegistry } from '../testing/registry-server.js';
import { createRegistrySandbox, type RegistrySandbox } from '../testing/registry-sandbox.js';
import { dockerCliAvailable, startDockerService, type DockerService } from '../testing/docker-service.js';

const skip = dockerCliAvailable() ? false : 'no docker CLI at /usr/local/bin/docker (set COVE_DOCKER_CLI)';
let reg: TestRegistry;
let sb: RegistrySandbox;
let svc: DockerService;

before(async () => {
  if (skip) return;
  const fx = await fixtures();
  reg = await startRegistry();
  sb = await createRegistrySandbox('cove-docker-reg-');
  const loaded = await sb.cove(['load', '-q', '-i', fx.busyboxDocker]);
  assert.equal(loaded.code, 0, loaded.stderr);
  svc = await startDockerService(sb);
});

after(async () => {
  if (skip) return;
  await svc?.stop();
  await sb?.cleanup();
  await reg?.stop();
});

const ok = async (args: string[]): Promise<string> => {
  const r = await svc.docker(args, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};

test('docker tag, push, rmi, pull: the image comes back with the same id', { skip }, async () => {
  const ref = `${reg.host}/cove/busybox:dk`;
  const id = (await ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
  await ok(['tag', 'busybox', ref]);
  const pushed = await ok(['push', ref]);
  assert.match(pushed, /digest: sha256:[0-9a-f]{64}/);
  await ok(['rmi', ref]);
  assert.doesNotMatch(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), new RegExp(`${reg.host}/cove/busybox:dk`));
  await ok(['pull', ref]);
  assert.equal((await ok(['image', 'inspect', '-f', '{{.Id}}', ref])).trim(), id);
});

test('docker pull of a missing image fails with the registry error and exit 1', { skip }, async () => {
  const r = await svc.docker(['pull', `${reg.host}/cove/nothing:here`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not found|unknown|manifest/i);
});

test('DOCKER_BUILDKIT=0 docker build streams the steps, builds an image that runs, reuses its cache, and fails a bad RUN with exit 1', { skip }, async () => {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-docker-build-'));
  try {
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM busybox\nARG MSG=default\nCOPY hello.txt /hello.txt\nRUN echo "built with $MSG" > /msg\nCMD ["cat", "/hello.txt", "/msg"]\n');
    fs.writeFileSync(path.join(ctx, 'hello.txt'), 'hello from the context\n');
    fs.writeFileSync(path.join(ctx, 'Dockerfile.bad'), 'FROM busybox\nRUN echo about to fail; exit 9\n');
    const env = { DOCKER_BUILDKIT: '0' };
    const built = await svc.docker(['build', '-t', 'dk/built:1', '--build-arg', 'MSG=arg', ctx], { env, timeoutMs: 120_000 });
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /Step 1\/\d+ : FROM busybox/);
    assert.match(built.stdout, /Successfully tagged dk\/built:1/);
    assert.equal((await ok(['run', '--rm', 'dk/built:1'])), 'hello from the context\nbuilt with arg\n');
    const again = await svc.docker(['build', '-t', 'dk/built:1', '--build-arg', 'MSG=arg', ctx], { env, timeoutMs: 120_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.ok((again.stdout.match(/Using cache/g) ?? []).length >= 2, again.stdout);
    const bad = await svc.docker(['build', '-f', path.join(ctx, 'Dockerfile.bad'), ctx], { env, timeoutMs: 120_000 });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /exit code 9/);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
});

test('docker save | docker load round-trips an image; stats --no-stream reports a running container', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-docker-save-'));
  try {
    const id = (await ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
    await ok(['save', '-o', path.join(dir, 'bb.tar'), 'busybox']);
    await ok(['tag', 'busybox', 'keepalive:1']);
    await ok(['rmi', 'busybox']);
    assert.match(await ok(['load', '-i', path.join(dir, 'bb.tar')]), /Loaded image: busybox:latest/);
    assert.equal((await ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim(), id);
    await ok(['rmi', 'keepalive:1']);
    await ok(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '30']);
    const st = await ok(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'busy']);
    assert.equal(st.trim(), 'busy 1');
    await ok(['rm', '-f', 'busy']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docker login checks the credentials with the registry; Cove then pushes and pulls with them', { skip }, async () => {
  const secured = await startRegistry({ auth: 'htpasswd', users: { alice: 'wonderland' } });
  try {
    const bad = await svc.docker(['login', secured.host, '-u', 'alice', '--password-stdin'], { input: 'wrong\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unauthorized|401|credentials|denied/i);
    const good = await svc.docker(['login', secured.host, '-u', 'alice', '--password-stdin'], { input: 'wonderland\n' });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Login Succeeded/);
    const ref = `${secured.host}/private/busybox:1`;
    await ok(['tag', 'busybox', ref]);
    await ok(['push', ref]);
    await ok(['rmi', ref]);
    await ok(['pull', ref]);
    await ok(['rmi', ref]);
  } finally {
    await secured.stop();
  }
});

test('testcontainers: a GenericContainer from the test registry starts, answers on its mapped port and stops', { skip }, async () => {
  // The process env is what testcontainers reads; Ryuk (its reaper container) is not wanted here.
  Object.assign(process.env, {
    DOCKER_HOST: svc.env.DOCKER_HOST,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    TESTCONTAINERS_HOST_OVERRIDE: 'localhost',
    DOCKER_CONFIG: svc.env.DOCKER_CONFIG,
  });
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(`${reg.host}/cove/busybox:dk`)
    .withCommand(['sh', '-c', 'echo server is ready; exec httpd -f -p 8080'])
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forLogMessage('server is ready'))
    .withStartupTimeout(60_000)
    .start();
  try {
    const port = container.getMappedPort(8080);
    const get = (): Promise<number> =>
      new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    // The log line comes a moment before httpd listens: until then the port forwarder resets the connection.
    const status = await eventually(() => get().catch(() => undefined), 10_000, 'busybox httpd on the mapped port');
    assert.equal(status, 404, 'busybox httpd answers (404 for / without an index)');
  } finally {
    await container.stop({ timeout: 1 });
  }
  const left = await ok(['ps', '-aq']);
  assert.equal(left.trim(), '', 'testcontainers removes its container on stop');
});
