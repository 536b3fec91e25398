// Rootless integration: real containers through Cove's own runtime, run by
// the non-root test user (npm test arranges that), against a private store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createSandbox, eventually, fixtures, subidOwnedFiles, subuidStart, type CoveSandbox } from '../../testing/harness.js';

let sb: CoveSandbox;
let fx: Awaited<ReturnType<typeof fixtures>>;
const uid = process.getuid?.() ?? 0;

before(async () => {
  assert.notEqual(uid, 0, 'rootless suites must run as a non-root user (npm test runs them as the test user)');
  fx = await fixtures();
  sb = await createSandbox();
  const loaded = await sb.cove(['load', '-i', fx.busyboxDocker]);
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.match(loaded.stdout, /Loaded image: busybox:latest/);
});

after(async () => {
  await sb?.cleanup();
});

async function containerDir(name: string): Promise<string> {
  const id = (await sb.cove(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  for (const full of id) {
    const rec = JSON.parse(fs.readFileSync(path.join(sb.home, 'containers', full, 'container.json'), 'utf8')) as { name: string };
    if (rec.name === name) return path.join(sb.home, 'containers', full);
  }
  throw new Error(`no container ${name}`);
}

test('the image is listed', async () => {
  const r = await sb.cove(['images']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^busybox\s+latest\s+[a-f0-9]{12}/m);
});

test('inside: uid 0, the mapping onto our uid and subuids, PID 1', async () => {
  const r = await sb.cove(['run', '--rm', 'busybox', 'sh', '-c', 'id -u; cat /proc/self/uid_map; echo $$']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  assert.equal(lines[0], '0');
  assert.equal(lines[1], `0 ${uid} 1`);
  assert.equal(lines[2], `1 ${subuidStart()} 65536`);
  assert.equal(lines[3], '1');
});

test('the hostname is the container\'s and env is passed', async () => {
  const r = await sb.cove(['run', '-d', '--name', 'hosty', '-e', 'GREETING=hello there', 'busybox', 'sh', '-c', 'hostname; echo "$GREETING"; cat /etc/hostname 2>/dev/null; true']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^[a-f0-9]{64}$/);
  await eventually(async () => (await sb.cove(['ps', '-a'])).stdout.includes('Exited (0)'), 10_000, 'exit');
  const logs = await sb.cove(['logs', 'hosty']);
  const out = logs.stdout.split('\n');
  assert.equal(out[0], id.slice(0, 12));
  assert.equal(out[1], 'hello there');
  await sb.cove(['rm', 'hosty']);
});

test('files written inside land in the upper dir, owned by the mapped ids', async () => {
  const r = await sb.cove(['run', '--name', 'writer', 'busybox', 'sh', '-c', 'echo hi > /root/by-root; mkdir /tmp/by-1000; chown 1000:1000 /tmp/by-1000']);
  assert.equal(r.code, 0, r.stderr);
  const upper = path.join(await containerDir('writer'), 'upper');
  const byRoot = fs.statSync(path.join(upper, 'root', 'by-root'));
  assert.equal(byRoot.uid, uid, 'container root is our own uid');
  assert.equal(fs.readFileSync(path.join(upper, 'root', 'by-root'), 'utf8'), 'hi\n');
  const by1000 = fs.statSync(path.join(upper, 'tmp', 'by-1000'));
  assert.equal(by1000.uid, subuidStart() + 999, 'container uid 1000 is subuid start + 999');
  assert.equal(by1000.gid, subuidStart() + 999);
  const rm = await sb.cove(['rm', 'writer']);
  assert.equal(rm.code, 0, rm.stderr);
  assert.deepEqual(subidOwnedFiles(sb.home), [], 'rm leaves no subuid-owned files in the store');
  assert.equal(fs.readdirSync(path.join(sb.home, 'containers')).length, 0);
});

test('host paths outside the rootfs are not visible', async () => {
  const canary = path.join(path.dirname(sb.home), `canary-${process.pid}`);
  fs.writeFileSync(canary, 'host');
  try {
    const r = await sb.cove(['run', '--rm', 'busybox', 'sh', '-c', `test -e ${canary} && echo canary-visible; test -e ${sb.home} && echo store-visible; ls /; cat /proc/1/cmdline | tr '\\0' ' '`]);
    assert.equal(r.code, 0, r.stderr);
    const seen = r.stdout.split('\n');
    assert.ok(!seen.includes('canary-visible') && !seen.includes('store-visible'), r.stdout);
    const top = r.stdout.split('\n').filter((l) => /^[a-z]+$/.test(l));
    for (const d of ['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'tmp']) assert.ok(top.includes(d), `/${d} exists`);
    assert.ok(!top.includes('work') && !top.includes('usr'), `no host directories leak in: ${top.join(' ')}`);
    assert.match(r.stdout, /sh -c test -e/);
  } finally {
    fs.rmSync(canary, { force: true });
  }
});

test('detached: runs with no Node process behind, logs, stop, kill, rm', async () => {
  const r = await sb.cove(['run', '-d', '--name', 'sleeper', 'busybox', 'sh', '-c', 'echo started; trap "echo bye; exit 3" TERM; while true; do sleep 0.1; done']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const ps = await sb.cove(['ps']);
  assert.match(ps.stdout, new RegExp(`^${id.slice(0, 12)}\\s+busybox:latest\\s+.*Up .*sleeper$`, 'm'));
  const pid = Number(fs.readFileSync(path.join(sb.home, 'containers', id, 'pid'), 'utf8'));
  // Walk up from the container's init: no ancestor may be a Node process of ours.
  let p = pid;
  const ancestors: string[] = [];
  while (p > 1) {
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    ancestors.push(comm);
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (comm === 'cove-monitor') break;
  }
  assert.ok(ancestors.includes('cove-monitor'), `the container is under its monitor: ${ancestors.join(' <- ')}`);
  assert.ok(!ancestors.some((c) => c.startsWith('node')), `no node ancestor: ${ancestors.join(' <- ')}`);
  await eventually(async () => (await sb.cove(['logs', 'sleeper'])).stdout.includes('started'), 5000, 'first log line');
  const stop = await sb.cove(['stop', '-t', '5', 'sleeper']);
  assert.equal(stop.code, 0, stop.stderr);
  const after = await sb.cove(['ps', '-a']);
  assert.match(after.stdout, /Exited \(3\).*sleeper/);
  assert.match((await sb.cove(['logs', 'sleeper'])).stdout, /started\nbye\n/);
  // Restart, then kill.
  assert.equal((await sb.cove(['start', 'sleeper'])).code, 0);
  assert.match((await sb.cove(['ps'])).stdout, /sleeper/);
  const kill = await sb.cove(['kill', 'sleeper']);
  assert.equal(kill.code, 0, kill.stderr);
  await eventually(async () => /Exited \(137\).*sleeper/.test((await sb.cove(['ps', '-a'])).stdout), 5000, 'killed state');
  assert.equal((await sb.cove(['rm', 'sleeper'])).code, 0);
  assert.doesNotMatch((await sb.cove(['ps', '-a'])).stdout, /sleeper/);
});

test('rm refuses a running container without -f and removes it with -f', async () => {
  const r = await sb.cove(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '1000']);
  assert.equal(r.code, 0, r.stderr);
  const refused = await sb.cove(['rm', 'busy']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /is running; stop it first.*\[E_CONTAINER_RUNNING\]/);
  const forced = await sb.cove(['rm', '-f', 'busy']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.doesNotMatch((await sb.cove(['ps', '-a'])).stdout, /busy/);
  assert.deepEqual(subidOwnedFiles(sb.home), []);
});

test('exit codes propagate and the foreground run prints stderr', async () => {
  const r = await sb.cove(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /err/);
});

test('errors are clear and carry codes', async () => {
  const missing = await sb.cove(['run', '--rm', '--pull', 'never', 'nosuchimage']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /no image nosuchimage.*\[E_IMAGE_NOT_FOUND\]/);
  const bad = await sb.cove(['run', '--rm', 'Bad:Ref']);
  assert.match(bad.stderr, /not a valid image reference.*\[E_INVALID_REFERENCE\]/);
  const exec = await sb.cove(['run', '--rm', 'busybox', 'no-such-command']);
  assert.equal(exec.code, 127);
  assert.match(exec.stderr, /no-such-command.*\[E_RUNTIME_EXEC\]/);
  const dup = await sb.cove(['run', '-d', '--name', 'dup', 'busybox', 'sleep', '100']);
  assert.equal(dup.code, 0);
  const dup2 = await sb.cove(['run', '-d', '--name', 'dup', 'busybox', 'true']);
  assert.match(dup2.stderr, /already used.*\[E_NAME_IN_USE\]/);
  await sb.cove(['rm', '-f', 'dup']);
  const noRm = await sb.cove(['rm', 'nope']);
  assert.match(noRm.stderr, /\[E_CONTAINER_NOT_FOUND\]/);
  const usage = await sb.cove(['run']);
  assert.equal(usage.code, 1, 'docker exits 1 for a missing argument');
  assert.match(usage.stderr, /"cove run" requires at least 1 argument/);
});

test('an OCI archive with layers, whiteouts and an opaque dir gives the merged view', async () => {
  const loaded = await sb.cove(['load', '-i', fx.layered]);
  assert.equal(loaded.code, 0, loaded.stderr);
  const r = await sb.cove([
    'run', '--rm', 'localhost/layered:1', 'sh', '-c',
    'ls /data | sort | tr "\\n" " "; echo; ls /opaque; stat -c "%u %a" /data/owned.txt /data/setuid; cat /data/link; stat -c %h /data/hard.txt',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'hard.txt keep.txt link owned.txt setuid ', 'gone.txt is whited out');
  assert.equal(lines[1], 'new.txt', 'opaque dir hides old.txt');
  assert.equal(lines[2], '1000 644');
  assert.equal(lines[3], '0 4755');
  assert.equal(lines[4], 'keep');
  assert.equal(lines[5], '2');
  const rmi = await sb.cove(['rmi', 'localhost/layered:1']);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.match(rmi.stdout, /Untagged: localhost\/layered:1\nDeleted: sha256:/);
});

test('loading the same image as docker-archive and OCI archive shares layers', async () => {
  const r = await sb.cove(['load', '-i', fx.busyboxOci]);
  assert.equal(r.code, 0, r.stderr);
  const layers = fs.readdirSync(path.join(sb.home, 'layers')).filter((n) => /^[a-f0-9]{64}$/.test(n));
  // busybox (shared by both archives) plus nothing else once layered:1 is gone.
  assert.equal(layers.length, 1, layers.join(','));
});

test('run -d --rm removes the container once it exits, with no daemon', async () => {
  const r = await sb.cove(['run', '-d', '--rm', '--name', 'ephemeral', 'busybox', 'sh', '-c', 'sleep 0.2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match((await sb.cove(['ps', '-a'])).stdout, /ephemeral/);
  await eventually(async () => !(await sb.cove(['ps', '-a'])).stdout.includes('ephemeral'), 10_000, 'auto-removal');
  assert.equal(fs.existsSync(path.join(sb.home, 'containers', r.stdout.trim())), false);
});

test('the log is capped and rotated, and logs reads across the rotation', async () => {
  const r = await sb.cove(['run', '--name', 'chatty', '--log-opt', 'max-size=4k', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 400 ]; do echo "line $i"; i=$((i+1)); done']);
  assert.equal(r.code, 0, r.stderr);
  const dir = await containerDir('chatty');
  const log = fs.statSync(path.join(dir, 'container.log')).size;
  assert.ok(fs.existsSync(path.join(dir, 'container.log.1')), 'rotated once');
  assert.ok(log <= 4096 + 200, `the current log stays near the cap: ${log}`);
  const lines = (await sb.cove(['logs', 'chatty'])).stdout.trim().split('\n');
  assert.equal(lines[lines.length - 1], 'line 399');
  const nums = lines.map((l) => Number(l.slice(5)));
  assert.deepEqual(nums, nums.map((_, i) => nums[0]! + i), 'what is kept is contiguous, newest last');
  await sb.cove(['rm', 'chatty']);
});

test('an OCI layout directory loads like an archive', async () => {
  const dir = fs.mkdtempSync(path.join(path.dirname(sb.home), 'layout-'));
  try {
    const { spawnSync } = await import('node:child_process');
    assert.equal(spawnSync('tar', ['-xf', fx.layered, '-C', dir]).status, 0);
    const r = await sb.cove(['load', '-i', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Loaded image: localhost\/layered:1/);
    assert.equal((await sb.cove(['run', '--rm', 'localhost/layered:1', 'cat', '/opaque/new.txt'])).stdout, 'new\n');
    assert.equal((await sb.cove(['rmi', 'localhost/layered:1'])).code, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
