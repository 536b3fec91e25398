// "Use Cove for docker" through the engine API (system:useDockerContext), checked with the real
// docker CLI and no DOCKER_HOST: `docker context ls` lists cove as current, plain `docker`
// commands and `docker --context cove` reach Cove, the rest of config.json survives, and
// turning it off returns docker to its default context.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxSandbox, runProcess, type CoveSandbox } from '../testing/harness.js';
import { DOCKER_CLI, dockerCliAvailable, startDockerService, type DockerService } from '../testing/docker-service.js';
import { connectSocket } from '../transport/socket-client.js';
import type { ApiClient } from '../transport/api-client.js';

const skip = dockerCliAvailable() ? false : 'no docker CLI at /usr/local/bin/docker (set COVE_DOCKER_CLI)';
let sb: CoveSandbox;
let svc: DockerService;
let api: ApiClient;
let config: string;

before(async () => {
  if (skip) return;
  sb = await busyboxSandbox('cove-docker-context-');
  config = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-docker-config-'));
  // The engine writes the docker CLI's config where DOCKER_CONFIG says (never the test user's ~/.docker).
  sb.env.DOCKER_CONFIG = config;
  svc = await startDockerService(sb);
  const client = await connectSocket(path.join(sb.home, 'run', 'engine.sock'));
  assert.ok(client, 'the engine socket answers');
  api = client;
});

after(async () => {
  if (skip) return;
  await api?.close();
  await svc?.stop();
  await sb?.cleanup();
  fs.rmSync(config, { recursive: true, force: true });
});

/** The docker CLI with only DOCKER_CONFIG: the context decides where it goes. */
function docker(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false' };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  return runProcess(DOCKER_CLI, args, { env, timeoutMs: 60_000 });
}

test('the toggle creates the docker context cove as the docker CLI does, makes it current, and removes it again', { skip }, async () => {
  const configFile = path.join(config, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ detachKeys: 'ctrl-x,x', auths: { 'registry.example': {} } }));
  const off = await api.call('system:dockerContext', {});
  assert.deepEqual([off.exists, off.current, off.configDir], [false, false, config]);

  const on = await api.call('system:useDockerContext', { enabled: true });
  assert.deepEqual([on.exists, on.ours, on.current, on.host], [true, true, true, `unix://${svc.socket}`]);
  const listed = await docker(['context', 'ls', '--format', '{{.Name}} {{.Current}} {{.DockerEndpoint}}']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^cove true unix://${svc.socket.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  const inspected = await docker(['context', 'inspect', 'cove']);
  assert.equal(inspected.code, 0, inspected.stderr);
  const [ctx] = JSON.parse(inspected.stdout) as Array<{ Metadata: { Description: string }; Endpoints: { docker: { Host: string } } }>;
  assert.deepEqual([ctx?.Metadata.Description, ctx?.Endpoints.docker.Host], ['Cove (rootless containers)', `unix://${svc.socket}`]);
  // Plain docker (the current context) and --context cove both reach Cove.
  const ran = await docker(['run', '--rm', 'busybox', 'echo', 'through the context']);
  assert.deepEqual([ran.code, ran.stdout], [0, 'through the context\n'], ran.stderr);
  const marker = await sb.cove(['create', '--name', 'made-by-cove-cli', 'busybox', 'true']);
  assert.equal(marker.code, 0, marker.stderr);
  const listedByDocker = await docker(['--context', 'cove', 'ps', '-a', '--format', '{{.Names}}']);
  assert.equal(listedByDocker.code, 0, listedByDocker.stderr);
  assert.match(listedByDocker.stdout, /^made-by-cove-cli$/m);
  const kept = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(kept, { detachKeys: 'ctrl-x,x', auths: { 'registry.example': {} }, currentContext: 'cove' });
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);

  const again = await api.call('system:useDockerContext', { enabled: false });
  assert.deepEqual([again.exists, again.current], [false, false]);
  const after = await docker(['context', 'ls', '--format', '{{.Name}} {{.Current}}']);
  assert.equal(after.stdout.trim(), 'default true', after.stderr);
  assert.deepEqual(JSON.parse(fs.readFileSync(configFile, 'utf8')), { detachKeys: 'ctrl-x,x', auths: { 'registry.example': {} } });
});

test('a malformed config.json is reported and left as it was, with no context written', { skip }, async () => {
  const configFile = path.join(config, 'config.json');
  fs.writeFileSync(configFile, '{"detachKeys": ');
  try {
    await assert.rejects(api.call('system:useDockerContext', { enabled: true }), (err: { code?: string; message?: string }) => err.code === 'E_INVALID_ARGUMENT' && /config\.json is not a JSON object/.test(err.message ?? ''));
    assert.equal(fs.readFileSync(configFile, 'utf8'), '{"detachKeys": ');
    // The docker CLI's directory for a context is the sha256 of its name.
    assert.equal(fs.existsSync(path.join(config, 'contexts', 'meta', '6a259d3299684d8a1f5693be49dde21e5e22195158487a86c3d73d07c36a5cfc')), false);
  } finally {
    fs.rmSync(configFile);
  }
});
