// Healthchecks through the Docker API with the real docker CLI: docker's
// --health-* flags arrive as the create body's Healthcheck, and the status
// comes back in inspect's State.Health, ps's STATUS and the events stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxSandbox, eventually, type CoveSandbox } from '../testing/harness.js';
import { dockerCliAvailable, startDockerService, type DockerService } from '../testing/docker-service.js';

// The docker CLI is part of these machines' image (/usr/local/bin/docker); nothing here downloads it.
const skip = dockerCliAvailable() ? false : 'no docker CLI at /usr/local/bin/docker (set COVE_DOCKER_CLI)';
let sb: CoveSandbox;
let svc: DockerService;

before(async () => {
  if (skip) return;
  sb = await busyboxSandbox('cove-dhealth-');
  svc = await startDockerService(sb);
});

after(async () => {
  if (skip) return;
  await svc.stop();
  await sb.cleanup();
});

const ok = async (args: string[]): Promise<string> => {
  const r = await svc.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};

test('docker run --health-cmd: inspect, ps and events follow starting -> healthy -> unhealthy', { skip }, async () => {
  await ok(['run', '-d', '--name', 'dh', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '200ms', '--health-retries', '1', '--health-start-period', '60s', '--health-start-interval', '200ms', 'busybox', 'sleep', '1000']);
  const status = async (): Promise<string> => (await ok(['inspect', '--format', '{{.State.Health.Status}}', 'dh'])).trim();
  assert.equal(await status(), 'starting');
  assert.equal((await ok(['inspect', '--format', '{{json .Config.Healthcheck.Test}}', 'dh'])).trim(), '["CMD-SHELL","test -e /tmp/ok"]');
  assert.match(await ok(['ps', '--filter', 'name=dh', '--format', '{{.Status}}']), /^Up .* \(health: starting\)$/m);
  const since = Math.floor(Date.now() / 1000);
  const events = svc.docker(['events', '--since', String(since), '--until', String(since + 8), '--filter', 'event=health_status', '--format', '{{.Action}}'], { timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 500));
  await ok(['exec', 'dh', 'touch', '/tmp/ok']);
  await eventually(async () => (await status()) === 'healthy', 10_000, 'healthy');
  assert.match(await ok(['ps', '--filter', 'name=dh', '--format', '{{.Status}}']), /^Up .* \(healthy\)$/m);
  assert.equal((await ok(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}'])).trim(), 'dh');
  await ok(['exec', 'dh', 'rm', '/tmp/ok']);
  await eventually(async () => (await status()) === 'unhealthy', 10_000, 'unhealthy');
  const log = JSON.parse(await ok(['inspect', '--format', '{{json .State.Health.Log}}', 'dh'])) as Array<{ ExitCode: number }>;
  assert.equal(log.at(-1)?.ExitCode, 1);
  const r = await events;
  assert.equal(r.code, 0, r.stderr);
  const actions = r.stdout.split('\n').filter(Boolean);
  assert.deepEqual(actions, ['health_status: healthy', 'health_status: unhealthy']);
  await ok(['rm', '-f', 'dh']);
});

test('docker run --no-healthcheck has no State.Health', { skip }, async () => {
  await ok(['run', '-d', '--name', 'nh', '--no-healthcheck', 'busybox', 'sleep', '1000']);
  assert.equal((await ok(['inspect', '--format', '{{json .State.Health}}', 'nh'])).trim(), 'null');
  await ok(['rm', '-f', 'nh']);
});
