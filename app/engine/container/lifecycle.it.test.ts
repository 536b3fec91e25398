// Lifecycle verbs on real containers (issue 5): cp (symlink-safe), diff,
// export, pause/unpause, rename, prune, port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createSandbox, fixtures, type CoveSandbox } from '../../testing/harness.js';

let sb: CoveSandbox;
let work: string;
before(async () => {
  sb = await createSandbox();
  work = fs.mkdtempSync(path.join(path.dirname(sb.home), 'lifecycle-'));
  const fx = await fixtures();
  assert.equal((await sb.cove(['load', '-q', '-i', fx.busyboxDocker])).code, 0);
});
after(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await sb?.cleanup();
});

async function ok(args: string[]): Promise<string> {
  const r = await sb.cove(args);
  assert.equal(r.code, 0, `cove ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('cp in and out; a symlink inside the container cannot send a write to the host', async () => {
  const canary = path.join(work, 'canary');
  fs.mkdirSync(canary);
  // Inside the container, /tmp/escape points at a path that on the host is the canary directory.
  await ok(['run', '-d', '--name', 'files', 'busybox', 'sh', '-c', `mkdir -p /data ${canary}; echo inside > /data/r.txt; ln -s ${canary} /tmp/escape; ln -s / /tmp/root; sleep 1000`]);
  fs.writeFileSync(path.join(work, 'in.txt'), 'from host\n');
  await ok(['cp', path.join(work, 'in.txt'), 'files:/tmp/escape/']);
  await ok(['cp', path.join(work, 'in.txt'), 'files:/tmp/root/tmp/']);
  assert.deepEqual(fs.readdirSync(canary), [], 'nothing was written through the symlink onto the host');
  assert.equal((await ok(['exec', 'files', 'cat', `${canary}/in.txt`])).trim(), 'from host', 'it landed inside the container');
  assert.equal((await ok(['exec', 'files', 'cat', '/tmp/in.txt'])).trim(), 'from host');
  await ok(['cp', 'files:/data', path.join(work, 'out')]);
  assert.equal(fs.readFileSync(path.join(work, 'out', 'r.txt'), 'utf8'), 'inside\n');
  // Copying a symlink out copies the link, never what it points to on the host.
  await ok(['cp', 'files:/tmp/root', path.join(work, 'rootlink')]);
  assert.equal(fs.readlinkSync(path.join(work, 'rootlink')), '/');
  const missing = await sb.cove(['cp', 'files:/no/such', path.join(work, 'x')]);
  assert.notEqual(missing.code, 0);
});

test('diff lists what the container changed; export gives the merged filesystem', async () => {
  const diff = (await ok(['diff', 'files'])).trim().split('\n');
  assert.ok(diff.includes('A /data/r.txt'), diff.join(','));
  assert.ok(diff.includes('C /tmp'), diff.join(','));
  assert.ok(!diff.some((l) => l.endsWith('/etc/hosts')), 'Cove-made mount points are not changes');
  const tarFile = path.join(work, 'fs.tar');
  await ok(['export', '-o', tarFile, 'files']);
  const names = spawnSync('tar', ['tf', tarFile], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(names.includes('./data/r.txt'));
  assert.ok(names.includes('./bin/busybox'));
});

test('pause and unpause freeze and thaw the processes; rename; prune', async () => {
  const note = await sb.cove(['pause', 'files']);
  assert.equal(note.code, 0);
  assert.match(note.stderr, /SIGSTOP/);
  assert.match(await ok(['ps']), /Up .*\(Paused\).*files/);
  const top = JSON.parse(await ok(['inspect', 'files'])) as Array<{ State: { Status: string; Pid: number } }>;
  assert.equal(top[0]?.State.Status, 'paused');
  const state = fs.readFileSync(`/proc/${top[0]?.State.Pid}/stat`, 'utf8').split(') ')[1]?.[0];
  assert.equal(state, 'T', 'the init process is stopped');
  await ok(['unpause', 'files']);
  assert.match(await ok(['ps']), /Up [^(]*files/);
  await ok(['rename', 'files', 'renamed']);
  assert.match(await ok(['ps']), /renamed/);
  await ok(['stop', '-t', '1', 'renamed']);
  await ok(['create', '--name', 'never-started', 'busybox', 'true']);
  const pruned = await ok(['container', 'prune', '-f']);
  assert.match(pruned, /Total: 2 container\(s\) removed/);
  assert.doesNotMatch(await ok(['ps', '-a']), /renamed|never-started/);
});
