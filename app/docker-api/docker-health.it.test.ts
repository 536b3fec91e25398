// Healthchecks through the Docker API with the real docker CLI: docker's
// --health-* flags arrive as the create body's Healthcheck, and the status
// comes back in inspect's State.Health, ps's STATUS and the events stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, runProcess } from '../testing/harness.js';
import { NO_DOCKER_CLI, dockerSuite } from '../testing/docker-service.js';

// The docker CLI is part of these machines' image (/usr/local/bin/docker); nothing here downloads it.
const skip = NO_DOCKER_CLI;
const suite = dockerSuite('cove-dhealth-');
const ok = (args: string[]): Promise<string> => suite.ok(args);

test('docker run --health-cmd: inspect, ps and events follow starting -> healthy -> unhealthy', { skip }, async () => {
  await ok(['run', '-d', '--name', 'dh', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '200ms', '--health-retries', '1', '--health-start-period', '60s', '--health-start-interval', '200ms', 'busybox', 'sleep', '1000']);
  const status = async (): Promise<string> => (await ok(['inspect', '--format', '{{.State.Health.Status}}', 'dh'])).trim();
  assert.equal(await status(), 'starting');
  assert.equal((await ok(['inspect', '--format', '{{json .Config.Healthcheck.Test}}', 'dh'])).trim(), '["CMD-SHELL","test -e /tmp/ok"]');
  assert.match(await ok(['ps', '--filter', 'name=dh', '--format', '{{.Status}}']), /^Up .* \(health: starting\)$/m);
  const since = Math.floor(Date.now() / 1000);
  const events = suite.svc.docker(['events', '--since', String(since), '--until', String(since + 8), '--filter', 'event=health_status', '--format', '{{.Action}}'], { timeoutMs: 30_000 });
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

const COMPOSE = '/usr/bin/docker-compose';
// npm test installs Debian's docker-compose as root; elsewhere it may be missing.
const noCompose = skip || (!fs.existsSync(COMPOSE) ? 'no docker-compose (apt-get install docker-compose)' : false);

test("docker-compose's depends_on condition: service_healthy waits for Cove's healthcheck", { skip: noCompose }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-compose-health-'));
  fs.writeFileSync(
    path.join(dir, 'docker-compose.yml'),
    `version: "2.4"
services:
  db:
    image: busybox
    command: sh -c 'sleep 1; touch /tmp/ready; exec sleep 1000'
    healthcheck:
      test: ["CMD", "test", "-e", "/tmp/ready"]
      interval: 200ms
      retries: 30
  app:
    image: busybox
    command: sleep 1000
    depends_on:
      db:
        condition: service_healthy
`,
  );
  const compose = (args: string[]) => runProcess(COMPOSE, ['-p', 'cvh', ...args], { cwd: dir, env: suite.svc.env, timeoutMs: 120_000 });
  try {
    const up = await compose(['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    const started = async (name: string): Promise<number> => Date.parse((await ok(['inspect', '--format', '{{.State.StartedAt}}', name])).trim());
    assert.equal((await ok(['inspect', '--format', '{{.State.Health.Status}}', 'cvh_db_1'])).trim(), 'healthy');
    // db can pass its check only a second after its start: app must not have started before.
    const gap = (await started('cvh_app_1')) - (await started('cvh_db_1'));
    assert.ok(gap >= 1000, `app started ${gap} ms after db`);
  } finally {
    await compose(['down']).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
