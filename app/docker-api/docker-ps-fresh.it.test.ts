// `docker ps` through `cove system service` answers from the engine's list
// in memory (container-list-cache.ts). Whoever changes a container, and
// however (the docker CLI, a cove CLI process writing the store itself, a
// plain file write, a kill), the next `docker ps` shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, eventually, runProcess } from '../testing/harness.js';
import { NO_DOCKER_CLI, dockerSuite } from '../testing/docker-service.js';

const skip = NO_DOCKER_CLI;
const suite = dockerSuite('cove-docker-ps-');
const docker = (args: string[]): Promise<string> => suite.ok(args);

/** `docker ps [-a]` as id → "name state". */
async function ps(all = false): Promise<Map<string, string>> {
  const out = await docker(['ps', ...(all ? ['-a'] : []), '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}']);
  return new Map(out.split('\n').filter(Boolean).map((l) => [l.split(' ')[0] as string, l.split(' ').slice(1).join(' ')]));
}

test('docker run, stop, start and rm show in the very next docker ps', { skip }, async () => {
  const id = (await docker(['run', '-d', '--network', 'none', '--name', 'fresh-a', 'busybox', 'sleep', '600'])).trim();
  assert.equal((await ps()).get(id), 'fresh-a running');
  await docker(['stop', '-t', '1', id]);
  assert.equal((await ps()).has(id), false);
  assert.equal((await ps(true)).get(id), 'fresh-a exited');
  await docker(['start', id]);
  assert.equal((await ps()).get(id), 'fresh-a running');
  await docker(['rm', '-f', id]);
  assert.equal((await ps(true)).has(id), false);
});

test('a cove CLI process that writes the store itself (no engine socket found) is seen by the next docker ps', { skip }, async () => {
  const id = (await docker(['create', '--network', 'none', '--name', 'fresh-b', 'busybox', 'true'])).trim();
  assert.equal((await ps(true)).get(id), 'fresh-b created');
  // Another runtime directory: this CLI finds no running engine and changes the files in its own process.
  const run = fs.mkdtempSync(path.join(suite.sb.home, 'other-run-'));
  const r = await runProcess(process.execPath, [cliPath(), 'rename', id, 'fresh-b2'], { env: { ...suite.sb.env, COVE_RUNTIME_DIR: run } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await ps(true)).get(id), 'fresh-b2 created');
  // And plain writes of the record (as writeJsonAtomic makes them), each followed at once by a docker ps.
  const record = path.join(suite.sb.home, 'containers', id, 'container.json');
  for (let i = 0; i < 5; i++) {
    const rec = JSON.parse(fs.readFileSync(record, 'utf8')) as { name: string };
    rec.name = `fresh-b-${i}`;
    fs.writeFileSync(`${record}.tmp`, JSON.stringify(rec));
    fs.renameSync(`${record}.tmp`, record);
    assert.equal((await ps(true)).get(id), `fresh-b-${i} created`, `write ${i}`);
  }
  await docker(['rm', id]);
});

test('a container whose monitor and process were killed (no file written) leaves docker ps', { skip }, async () => {
  const id = (await docker(['run', '-d', '--network', 'none', '--name', 'fresh-c', 'busybox', 'sleep', '600'])).trim();
  assert.equal((await ps()).get(id), 'fresh-c running');
  const pid = Number((await docker(['inspect', '-f', '{{.State.Pid}}', id])).trim());
  assert.ok(pid > 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const monitor = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  process.kill(monitor, 'SIGKILL');
  process.kill(pid, 'SIGKILL');
  await eventually(() => !fs.existsSync(`/proc/${pid}`), 10_000, 'the process gone');
  assert.equal((await ps()).has(id), false);
  assert.match(await docker(['ps', '-a', '--filter', `id=${id}`, '--format', '{{.Status}}']), /^Exited \(-1\)/);
  await docker(['rm', '-f', id]);
});
