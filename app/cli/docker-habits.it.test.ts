// The CLI as a docker user drives it, against real rootless containers and
// a real registry: per-verb help, --format/--filter/inspect -f in docker's
// shapes, auto-pull, cp to and from "-", prune prompts, docker exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliPath, fixtures } from '../testing/harness.js';
import { busyboxRootfsEntries } from '../testing/image-fixtures.js';
import { startRegistry, type TestRegistry } from '../testing/registry-server.js';
import { buildImage, uploadImage } from '../testing/registry-images.js';
import { createRegistrySandbox, type RegistrySandbox } from '../testing/registry-sandbox.js';

let reg: TestRegistry;
let sb: RegistrySandbox;
let work: string;

before(async () => {
  assert.notEqual(process.getuid?.(), 0, 'rootless suites run as a non-root user (npm test arranges it)');
  reg = await startRegistry();
  sb = await createRegistrySandbox('cove-habits-it-');
  work = fs.mkdtempSync(path.join(path.dirname(sb.home), 'habits-'));
  const base = await busyboxRootfsEntries();
  const app = await buildImage({ layers: [base, [{ name: 'etc/motd', content: 'pulled on demand\n' }]], cmd: ['cat', '/etc/motd'], label: 'habits' });
  await uploadImage(reg, 'habits/app', '1', app);
  const fx = await fixtures();
  assert.equal((await sb.cove(['load', '-q', '-i', fx.busyboxDocker])).code, 0);
});

after(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await sb?.cleanup();
  await reg?.stop();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await sb.cove(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `cove ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Binary-safe: cp's tar streams. */
function coveRaw(args: string[], input?: Buffer): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath(), ...args], { env: sb.env, input: input ?? Buffer.alloc(0), maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

test('per-verb help: cove VERB --help, cove help VERB, management verbs', async () => {
  const a = await ok(['run', '--help']);
  assert.match(a, /^Usage: {2}cove run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]$/m);
  assert.match(a, /^ {2}-d, --detach\s+Run container in background/m);
  assert.equal(await ok(['help', 'run']), a);
  assert.match(await ok(['ps', '-h']), /^Usage: {2}cove ps \[OPTIONS\]$/m);
  assert.match(await ok(['ps', '-a', '--help']), /--filter filter/);
  assert.match(await ok(['volume', 'ls', '--help']), /^Usage: {2}cove volume ls \[OPTIONS\]$/m);
  assert.match(await ok(['help', 'system', 'prune']), /^ {2}-f, --force\s+Do not prompt for confirmation$/m);
  assert.match(await ok(['image']), /^Commands:$/m);
  const general = await ok(['--help']);
  assert.match(general, /^Common Commands:$/m);
  // After the image, --help belongs to the container's command.
  const inner = await sb.cove(['run', '--rm', '--pull', 'never', 'busybox', 'echo', '--help']);
  assert.equal(inner.stdout, '--help\n', inner.stderr);
});

test('exit codes and messages as docker: 125 for flags, 1 for arguments, 125 for cove failures', async () => {
  const flag = await sb.cove(['run', '--bogus', 'busybox']);
  assert.equal(flag.code, 125);
  assert.equal(flag.stderr, "unknown flag: --bogus\nSee 'cove run --help'.\n");
  const short = await sb.cove(['ps', '-z']);
  assert.equal(short.code, 125);
  assert.match(short.stderr, /^unknown shorthand flag: 'z' in -z\nSee 'cove ps --help'\.\n$/);
  const args = await sb.cove(['rm']);
  assert.equal(args.code, 1);
  assert.match(args.stderr, /^"cove rm" requires at least 1 argument\.\nSee 'cove rm --help'\.\n\nUsage: {2}cove rm \[OPTIONS\] CONTAINER \[CONTAINER\.\.\.\]/);
  const noCmd = await sb.cove(['nosuchverb']);
  assert.equal(noCmd.code, 1);
  const missing = await sb.cove(['run', '--rm', '--pull', 'never', 'nosuchimage']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /\[E_IMAGE_NOT_FOUND\]/);
  const exit = await sb.cove(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(exit.code, 3);
  const notFound = await sb.cove(['rm', 'nosuchcontainer']);
  assert.equal(notFound.code, 1, 'a failed item of a multi-item verb exits 1, as docker rm does');
});

test('run pulls a missing image with progress; --pull never refuses; --pull always pulls again', async () => {
  const ref = `${reg.host}/habits/app:1`;
  const never = await sb.cove(['run', '--rm', '--pull', 'never', ref]);
  assert.equal(never.code, 125);
  assert.match(never.stderr, /\[E_IMAGE_NOT_FOUND\]/);
  const r = await sb.cove(['run', '--rm', ref]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'pulled on demand\n');
  assert.match(r.stderr, new RegExp(`Unable to find image '${ref}' locally`));
  assert.match(r.stderr, /Pull complete/);
  assert.match(r.stderr, /Status: Downloaded newer image/);
  const again = await sb.cove(['create', '--pull', 'always', '--name', 'pulled-again', ref]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Image is up to date/);
  const quiet = await sb.cove(['create', '-q', '--pull', 'always', ref]);
  assert.equal(quiet.stderr, '');
  await ok(['rm', 'pulled-again', quiet.stdout.trim()]);
  const bad = await sb.cove(['run', '--pull', 'sometimes', 'busybox']);
  assert.equal(bad.code, 125);
});

test('ps --format and --filter in docker shapes', async () => {
  await ok(['run', '-d', '--name', 'hab-web', '-l', 'tier=front', '-l', 'app=shop', 'busybox', 'sleep', '1000']);
  await sb.cove(['run', '--name', 'hab-done', '-l', 'tier=back', 'busybox', 'sh', '-c', 'exit 2']);
  assert.equal(await ok(['ps', '--format', '{{.Names}}']), 'hab-web\n');
  assert.equal(await ok(['ps', '-a', '--filter', 'name=hab-', '--format', '{{.Names}} {{.State}}']), 'hab-done exited\nhab-web running\n');
  assert.equal(await ok(['ps', '--filter', 'status=exited', '--format', '{{.Names}}']), 'hab-done\n');
  assert.equal(await ok(['ps', '-a', '--filter', 'exited=2', '--format', '{{.Names}}']), 'hab-done\n');
  assert.equal(await ok(['ps', '-a', '--filter', 'label=tier=front', '--format', '{{.Names}} {{.Label "app"}}']), 'hab-web shop\n');
  assert.equal(await ok(['ps', '-a', '--filter', 'ancestor=busybox', '--filter', 'name=hab-', '-q']).then((s) => s.trim().split('\n').length), 2);
  const id = (await ok(['ps', '-q', '--no-trunc', '--filter', 'name=hab-web'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal(await ok(['ps', '-a', '--filter', `id=${id.slice(0, 8)}`, '--format', '{{.Names}}']), 'hab-web\n');
  const json = JSON.parse(await ok(['ps', '--filter', 'name=hab-web', '--format', '{{json .}}'])) as Record<string, string>;
  assert.deepEqual(Object.keys(json), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
  assert.equal(json.Names, 'hab-web');
  assert.equal(json.Labels, 'app=shop,tier=front');
  assert.match(json.CreatedAt as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  const table = await ok(['ps', '--filter', 'name=hab-web', '--format', 'table {{.ID}}\\t{{.Names}}\\t{{.Status}}']);
  assert.match(table, /^CONTAINER ID {3}NAMES {5}STATUS\n[0-9a-f]{12} {3}hab-web {3}Up /);
  const sized = await ok(['ps', '-s', '--filter', 'name=hab-web']);
  assert.match(sized, /NAMES {3,}SIZE\n.*hab-web {3,}[\d.]+k?B\n$/);
  const bad = await sb.cove(['ps', '--filter', 'colour=red']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid filter 'colour'/);
  const badTpl = await sb.cove(['ps', '--format', '{{.Nope}}']);
  assert.notEqual(badTpl.code, 0);
  assert.match(badTpl.stderr, /can't evaluate field Nope/);
});

test('stats --no-stream --format: docker field names, one sample', async () => {
  const out = await ok(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', 'hab-web']);
  assert.match(out, /^hab-web \d+\.\d\d% [\d.]+[kMG]?i?B \/ [\d.]+[kMGT]?i?B \d+\n$/);
  const table = await ok(['stats', '--no-stream', 'hab-web']);
  assert.match(table, /^CONTAINER ID {3}NAME {6}CPU % {5}MEM USAGE \/ LIMIT/);
});

test('inspect -f on containers, images and volumes; --type; partial failure exits 1', async () => {
  assert.equal(await ok(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.Name}}', 'hab-web']), 'running true /hab-web\n');
  assert.equal(await ok(['inspect', '--format', '{{index .Config.Labels "tier"}}', 'hab-web']), 'front\n');
  assert.equal(await ok(['inspect', '-f', '{{json .Config.Labels}}', 'hab-web']), '{"app":"shop","tier":"front"}\n');
  assert.equal(await ok(['inspect', '-f', '{{.State.ExitCode}}', 'hab-done']), '2\n');
  assert.match(await ok(['inspect', '-s', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'hab-web']), /^\d+ \d+\n$/);
  const full = JSON.parse(await ok(['inspect', 'hab-web'])) as Array<Record<string, unknown>>;
  assert.equal(full.length, 1);
  for (const key of ['Id', 'Name', 'State', 'Config', 'NetworkSettings', 'HostConfig', 'Mounts']) assert.ok(key in (full[0] as object), `inspect has ${key}`);
  const state = (full[0] as { State: Record<string, unknown> }).State;
  for (const key of ['Status', 'Running', 'Paused', 'Pid', 'ExitCode', 'StartedAt', 'FinishedAt']) assert.ok(key in state, `State.${key}`);
  // An image by name through the untyped inspect, and with --type.
  assert.match(await ok(['inspect', '-f', '{{.Id}} {{index .RepoTags 0}}', 'busybox']), /^sha256:[0-9a-f]{64} busybox:latest\n$/);
  assert.match(await ok(['image', 'inspect', '-f', '{{.Os}}', 'busybox']), /^linux\n$/);
  const typed = await sb.cove(['inspect', '--type', 'container', 'busybox']);
  assert.equal(typed.code, 1);
  assert.match(typed.stderr, /No such container: busybox/);
  await ok(['volume', 'create', '-l', 'purpose=test', 'hab-vol']);
  assert.equal(await ok(['inspect', '--type', 'volume', '-f', '{{.Name}} {{.Driver}} {{.Labels.purpose}}', 'hab-vol']), 'hab-vol local test\n');
  assert.equal(await ok(['volume', 'inspect', '--format', '{{.Scope}}', 'hab-vol']), 'local\n');
  const partial = await sb.cove(['inspect', '-f', '{{.Name}}', 'hab-web', 'nothing-here']);
  assert.equal(partial.code, 1);
  assert.equal(partial.stdout, '/hab-web\n');
  assert.match(partial.stderr, /No such object: nothing-here/);
});

test('images and volume ls --format, images --filter', async () => {
  const ref = `${reg.host}/habits/app`;
  assert.match(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), new RegExp(`^${ref.replace(/[.]/g, '\\.')}:1$`, 'm'));
  assert.equal(await ok(['images', '--filter', 'label=cove.test=habits', '--format', '{{.Repository}}']), `${ref}\n`);
  assert.equal(await ok(['images', '--filter', 'reference=busy*', '--format', '{{.Repository}} {{.Tag}}']), 'busybox latest\n');
  assert.equal(await ok(['images', 'busybox', '--format', '{{.Repository}}']), 'busybox\n');
  assert.equal(await ok(['images', '--filter', 'dangling=true', '-q']), '');
  const json = JSON.parse((await ok(['images', '--format', 'json', '--filter', 'reference=busybox'])).trim()) as Record<string, string>;
  for (const key of ['ID', 'Repository', 'Tag', 'Digest', 'CreatedSince', 'CreatedAt', 'Size']) assert.ok(key in json, key);
  const table = await ok(['images', '--filter', 'reference=busybox', '--format', 'table {{.Repository}}\\t{{.Size}}']);
  assert.match(table, /^REPOSITORY {3}SIZE\nbusybox {6}[\d.]+[kM]B\n$/);
  assert.match(await ok(['volume', 'ls', '--format', '{{.Name}}:{{.Driver}}:{{.Label "purpose"}}']), /^hab-vol:local:test$/m);
  assert.match(await ok(['volume', 'ls']), /^DRIVER {4}VOLUME NAME\nlocal {5}hab-vol$/m);
  assert.equal(await ok(['volume', 'ls', '-q', '--filter', 'label=purpose=test', '--filter', 'dangling=true']), 'hab-vol\n');
});

test('cp CONTAINER:PATH - writes a tar; - CONTAINER:DIR reads one', async () => {
  await ok(['exec', 'hab-web', 'sh', '-c', 'mkdir -p /data && echo hello > /data/a.txt']);
  const out = coveRaw(['cp', 'hab-web:/data', '-']);
  assert.equal(out.code, 0, out.stderr);
  const listed = spawnSync('tar', ['-tvf', '-'], { input: out.stdout }).stdout.toString();
  assert.match(listed, /data\/a\.txt/);
  const extracted = path.join(work, 'x');
  fs.mkdirSync(extracted);
  spawnSync('tar', ['-xf', '-', '-C', extracted], { input: out.stdout });
  assert.equal(fs.readFileSync(path.join(extracted, 'data', 'a.txt'), 'utf8'), 'hello\n');
  // And back in, as a tar on stdin, into a directory.
  fs.writeFileSync(path.join(work, 'b.txt'), 'from stdin\n');
  const tarball = spawnSync('tar', ['-cf', '-', '-C', work, 'b.txt']).stdout;
  const inn = coveRaw(['cp', '-', 'hab-web:/data'], tarball);
  assert.equal(inn.code, 0, inn.stderr);
  assert.equal(await ok(['exec', 'hab-web', 'cat', '/data/b.txt']), 'from stdin\n');
  const notDir = coveRaw(['cp', '-', 'hab-web:/data/a.txt'], tarball);
  assert.notEqual(notDir.code, 0);
  assert.match(notDir.stderr, /must be a directory/);
  assert.ok(!fs.existsSync(path.join(process.cwd(), '-')), 'no file named "-" was written');
});

test('system df -v lists volumes; system prune asks, refuses without a terminal, prunes with -f', async () => {
  const df = await ok(['system', 'df']);
  assert.match(df, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/m);
  assert.match(df, /^Local Volumes\s+1\s+0\s+/m);
  const v = await ok(['system', 'df', '-v']);
  assert.match(v, /^Images space usage:$/m);
  assert.match(v, /^Containers space usage:$/m);
  assert.match(v, /^Local Volumes space usage:$/m);
  assert.match(v, /^VOLUME NAME\s+LINKS\s+SIZE\nhab-vol\s+0\s+/m);
  // An anonymous volume left by `rm` without -v: --volumes removes it, the named one stays.
  await ok(['run', '--name', 'hab-anon', '-v', '/anon', 'busybox', 'true']);
  const anon = (await ok(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'hab-anon'])).trim();
  assert.ok(anon.length > 0, 'the container has an anonymous volume');
  await ok(['rm', 'hab-anon']);
  assert.match(await ok(['volume', 'ls', '-q']), new RegExp(`^${anon}$`, 'm'));
  const refused = await sb.cove(['system', 'prune']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /WARNING! This will remove:/);
  assert.match(refused.stderr, /pass -f \(--force\)/);
  assert.match(await ok(['ps', '-a', '--format', '{{.Names}}']), /hab-done/, 'nothing was pruned');
  const pruned = await ok(['system', 'prune', '-f', '--volumes']);
  assert.match(pruned, /^Deleted Containers:$/m);
  assert.match(pruned, new RegExp(`^Deleted Volumes:\n${anon}$`, 'm'));
  assert.match(pruned, /^Total reclaimed space: /m);
  const left = await ok(['ps', '-a', '--format', '{{.Names}}']);
  assert.doesNotMatch(left, /hab-done/);
  assert.match(left, /hab-web/, 'running containers stay');
  assert.match(await ok(['volume', 'ls', '-q']), /^hab-vol$/m, 'named volumes stay without -a');
  const volPrune = await sb.cove(['volume', 'prune']);
  assert.equal(volPrune.code, 1, 'volume prune asks too');
});

test('info prints docker-style sections and --format json', async () => {
  const text = await ok(['info']);
  assert.match(text, /^ Containers: \d+$/m);
  assert.match(text, /^ {2}Running: 1$/m);
  assert.match(text, /^ Storage Driver: overlay$/m);
  const data = JSON.parse(await ok(['info', '--format', '{{json .}}'])) as Record<string, unknown>;
  assert.equal(data.ContainersRunning, 1);
  assert.equal(data.OSType, 'linux');
  assert.equal(await ok(['info', '-f', '{{.Rootless}}']), 'true\n');
  await ok(['rm', '-f', 'hab-web']);
});
