// Images through the Docker API with a real registry (docker tag, push, rmi,
// pull, save | load), and testcontainers (the npm package) driving Cove as
// it drives Docker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fixtures } from '../testing/harness.js';
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
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 404, 'busybox httpd answers (404 for / without an index)');
  } finally {
    await container.stop({ timeout: 1 });
  }
  const left = await ok(['ps', '-aq']);
  assert.equal(left.trim(), '', 'testcontainers removes its container on stop');
});
