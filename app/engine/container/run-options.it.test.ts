// docker run options, observed in real rootless containers (issue 5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxSandbox, eventually, subidOwnedFiles, type CoveSandbox, okRunner } from '../../testing/harness.js';

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox();
});
after(async () => sb?.cleanup());

const ok = okRunner(() => sb);

test('named volume data survives rm of the container; a volume in use cannot be removed', async () => {
  await ok(['run', '--name', 'writer', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo persisted > /data/file; mkdir /data/sub; chown 1000 /data/sub']);
  const busy = await sb.cove(['volume', 'rm', 'keep']);
  assert.notEqual(busy.code, 0);
  assert.match(busy.stderr, /in use by container\(s\) writer.*\[E_VOLUME_IN_USE\]/);
  await ok(['rm', 'writer']);
  assert.equal((await ok(['run', '--rm', '-v', 'keep:/data', 'busybox', 'cat', '/data/file'])).trim(), 'persisted');
  assert.match(await ok(['volume', 'ls']), /local\s+keep/);
  const info = JSON.parse(await ok(['volume', 'inspect', 'keep'])) as Array<{ Mountpoint: string; UsedBy: string[] }>;
  assert.deepEqual(info[0]?.UsedBy, []);
  await ok(['volume', 'rm', 'keep']);
  assert.equal(fs.existsSync(info[0]?.Mountpoint ?? '/nonexistent'), false, 'subuid-owned files inside were removed too');
  assert.deepEqual(subidOwnedFiles(sb.home), []);
});

test('a read-only bind mount refuses writes; a writable one shows host files', async () => {
  const dir = fs.mkdtempSync(path.join(path.dirname(sb.home), 'bind-'));
  try {
    fs.writeFileSync(path.join(dir, 'host.txt'), 'from host\n');
    const ro = await sb.cove(['run', '--rm', '-v', `${dir}:/h:ro`, 'busybox', 'sh', '-c', 'cat /h/host.txt; echo x > /h/new 2>&1; echo "rc=$?"']);
    assert.equal(ro.code, 0, ro.stderr);
    assert.match(ro.stdout, /from host/);
    assert.match(ro.stdout, /rc=[1-9]/);
    assert.equal(fs.existsSync(path.join(dir, 'new')), false);
    await ok(['run', '--rm', '--mount', `type=bind,source=${dir},target=/h`, 'busybox', 'sh', '-c', 'echo written > /h/new']);
    assert.equal(fs.readFileSync(path.join(dir, 'new'), 'utf8'), 'written\n');
    const missing = await sb.cove(['run', '--rm', '-v', '/no/such/dir:/x', 'busybox', 'true']);
    assert.match(missing.stderr, /does not exist.*\[E_INVALID_ARGUMENT\]/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('user, workdir, env, entrypoint, hostname, extra hosts, tmpfs, read-only and labels are honoured', async () => {
  const out = await ok([
    'run', '--rm', '-u', 'user', '-w', '/tmp', '-e', 'A=1', '--hostname', 'box1', '--add-host', 'db:10.9.8.7', '--dns', '1.1.1.1',
    '--tmpfs', '/scratch:size=1m', '--read-only', '-l', 'team=core', 'busybox', 'sh', '-c',
    'echo "$(id -u):$(id -g) $(pwd) $A $(hostname)"; grep db /etc/hosts; cat /etc/resolv.conf; touch /scratch/ok && echo tmpfs-ok; touch /rootfile 2>/dev/null || echo ro-ok',
  ]);
  const lines = out.trim().split('\n');
  assert.equal(lines[0], '1000:1000 /tmp 1 box1');
  assert.match(lines[1] ?? '', /^10\.9\.8\.7\s+db$/);
  assert.equal(lines[2], 'nameserver 1.1.1.1');
  assert.equal(lines[3], 'tmpfs-ok');
  assert.equal(lines[4], 'ro-ok');
  assert.equal((await ok(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'from', 'entrypoint'])).trim(), 'from entrypoint');
  const id = (await ok(['create', '-l', 'team=core', '--restart', 'always', '--stop-signal', 'USR1', 'busybox', 'true'])).trim();
  const inspect = JSON.parse(await ok(['inspect', id])) as Array<{ Config: { Labels: Record<string, string>; StopSignal: string }; HostConfig: { RestartPolicy: { Name: string } } }>;
  assert.equal(inspect[0]?.Config.Labels.team, 'core');
  assert.equal(inspect[0]?.Config.StopSignal, 'USR1');
  assert.equal(inspect[0]?.HostConfig.RestartPolicy.Name, 'always');
  await ok(['rm', id]);
});

test('--restart on-failure:2 restarts a failing container exactly twice', async () => {
  const id = (await ok(['run', '-d', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo attempt; exit 3'])).trim();
  await eventually(async () => {
    const info = JSON.parse(await ok(['inspect', id])) as Array<{ RestartCount: number; State: { Status: string } }>;
    return info[0]?.RestartCount === 2 && info[0].State.Status === 'exited';
  }, 20_000, 'two restarts');
  // Give a wrongly scheduled third restart the time it would need to show up.
  await new Promise((r) => setTimeout(r, 1500));
  const logs = (await ok(['logs', id])).trim().split('\n');
  assert.deepEqual(logs, ['attempt', 'attempt', 'attempt']);
  const info = JSON.parse(await ok(['inspect', id])) as Array<{ RestartCount: number; State: { ExitCode: number } }>;
  assert.equal(info[0]?.RestartCount, 2);
  assert.equal(info[0]?.State.ExitCode, 3);
  await ok(['rm', id]);
});

test('--init puts a minimal init at PID 1 that forwards signals and reaps', async () => {
  const id = (await ok(['run', '-d', '--init', 'busybox', 'sh', '-c', 'sleep 1000 & wait'])).trim();
  const top = await ok(['exec', id, 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "']);
  assert.match(top, /^\/run\/cove-init -- sh -c/);
  const t0 = Date.now();
  await ok(['stop', '-t', '10', id]);
  assert.ok(Date.now() - t0 < 5000, 'SIGTERM reached the shell through the init (no 10 s timeout)');
  await ok(['rm', id]);
});

test('limits without cgroup delegation fail clearly; bad options name the value', async () => {
  const mem = await sb.cove(['run', '--rm', '--memory', '64m', 'busybox', 'true']);
  if (!fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    assert.equal(mem.code, 125);
    assert.match(mem.stderr, /cgroup v2 with a delegated subtree.*Delegate=.*\[E_NO_CGROUP_DELEGATION\]/);
  }
  for (const [args, re] of [
    [['--network', 'none', '-p', '8080:80'], /publishing ports needs a network of its own/],
    [['--restart', 'sometimes'], /invalid restart policy "sometimes"/],
    [['--cap-add', 'NOT_A_CAP'], /unknown capability "NOT_A_CAP"/],
    [['-v', 'bad name:/x'], /invalid volume/],
    [['--security-opt', 'apparmor=x'], /unsupported --security-opt/],
  ] as const) {
    const r = await sb.cove(['run', '--rm', ...args, 'busybox', 'true']);
    assert.equal(r.code, 125, args.join(' '));
    assert.match(r.stderr, re);
    assert.match(r.stderr, /\[E_INVALID_ARGUMENT\]/);
  }
});

test('capabilities, seccomp and no-new-privileges follow --cap-add/--cap-drop and --security-opt; --env-file is read', async () => {
  const caps = await ok(['run', '--rm', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', 'busybox', 'grep', '^CapEff:', '/proc/self/status']);
  assert.match(caps, /CapEff:\s+0000000000001000/);
  const dropped = await ok(['run', '--rm', '--cap-drop', 'CHOWN', 'busybox', 'sh', '-c', 'chown 1000 /tmp && echo chowned || echo refused']);
  assert.equal(dropped.trim(), 'refused');
  const unconfined = await ok(['run', '--rm', '--security-opt', 'seccomp=unconfined', '--security-opt', 'no-new-privileges=false', 'busybox', 'sh', '-c', 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\\t " " "']);
  assert.match(unconfined, /NoNewPrivs: 0/);
  assert.match(unconfined, /Seccomp: 0/);
  const envFile = path.join(path.dirname(sb.home), `env-${process.pid}`);
  fs.writeFileSync(envFile, '# comment\nFROM_FILE=yes\n\nOTHER=2\n');
  try {
    assert.equal((await ok(['run', '--rm', '--env-file', envFile, '-e', 'OTHER=3', 'busybox', 'sh', '-c', 'echo $FROM_FILE $OTHER'])).trim(), 'yes 3');
  } finally {
    fs.rmSync(envFile, { force: true });
  }
});

test('cove events shows what another process does to the store, live, named after the action (docker events)', async () => {
  const events = sb.spawnCove(['events']);
  let out = '';
  events.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await new Promise((r) => setTimeout(r, 800));
    const id = (await ok(['create', '--name', 'evented', 'busybox', 'sleep', '1000'])).trim();
    await eventually(() => out.includes(`container create ${id}`), 10_000, 'create');
    await ok(['start', 'evented']);
    await eventually(() => out.includes(`container start ${id}`), 10_000, 'start');
    await ok(['stop', '-t', '1', 'evented']);
    await eventually(() => out.includes(`container die ${id}`), 15_000, 'stop is a die');
    await ok(['rm', 'evented']);
    await eventually(() => out.includes(`container remove ${id}`), 10_000, 'rm is a remove');
    assert.doesNotMatch(out, new RegExp(`container update ${id}`), `no vague updates:\n${out}`);
  } finally {
    events.kill('SIGTERM');
    await new Promise((r) => events.once('close', r));
  }
});

test("the image's VOLUME entries become anonymous volumes, removed with rm -v", async () => {
  const { writeDockerArchive, busyboxRootfsEntries } = await import('../../testing/image-fixtures.js');
  const file = path.join(path.dirname(sb.home), `vol-image-${process.pid}.tar`);
  try {
    await writeDockerArchive(file, { layers: [await busyboxRootfsEntries()], references: ['localhost/with-volume:1'], volumes: ['/cache'] });
    await ok(['load', '-q', '-i', file]);
    const id = (await ok(['run', '-d', 'localhost/with-volume:1', 'sh', '-c', 'echo kept > /cache/f; sleep 1000'])).trim();
    const info = JSON.parse(await ok(['inspect', id])) as Array<{ Mounts: Array<{ Type: string; Source: string; Destination: string }> }>;
    const mount = info[0]?.Mounts.find((m) => m.Destination === '/cache');
    assert.equal(mount?.Type, 'volume');
    assert.match(await ok(['volume', 'ls']), new RegExp(mount!.Source));
    await ok(['rm', '-f', '-v', id]);
    assert.doesNotMatch(await ok(['volume', 'ls']), new RegExp(mount!.Source), 'an anonymous volume goes with rm -v');
    await ok(['rmi', 'localhost/with-volume:1']);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
