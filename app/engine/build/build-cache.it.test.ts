// Multi-stage builds, the layer cache, pushing the result, and bad input,
// all real builds as the test user from the busybox fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { cliPath } from '../../testing/harness.js';
import { buildSandbox } from '../../testing/build-sandbox.js';
import { startRegistry, type TestRegistry } from '../../testing/registry-server.js';

const suite = buildSandbox('cove-build-cache-it-');

async function build(args: string[]): Promise<{ stdout: string; stderr: string; ran: string[]; cached: string[] }> {
  const r = await suite.sb.cove(['build', '--progress', 'plain', ...args], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, `cove build ${args.join(' ')}:\n${r.stderr}`);
  const label = new Map<string, string>();
  for (const m of r.stderr.matchAll(/^#(\d+) \[[^\]]+\] (.*)$/gm)) label.set(m[1] as string, m[2] as string);
  const ran = [...r.stderr.matchAll(/^#(\d+) DONE/gm)].map((m) => label.get(m[1] as string)).filter((l): l is string => l !== undefined && !l.startsWith('FROM'));
  const cached = [...r.stderr.matchAll(/^#(\d+) CACHED/gm)].map((m) => label.get(m[1] as string) as string);
  return { ...r, ran, cached };
}

async function run(image: string, ...cmd: string[]): Promise<string> {
  const r = await suite.sb.cove(['run', '--rm', image, ...cmd]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const MULTI = [
  'FROM busybox AS base',
  'RUN echo base > /base.txt',
  'FROM base AS build',
  'ARG FLAVOUR=plain',
  'WORKDIR /src',
  'COPY . .',
  'RUN ls -A | sort > /tmp/listing && echo "$FLAVOUR" > flavour',
  'FROM busybox AS unused',
  'RUN echo never > /never',
  'FROM busybox',
  'COPY --from=build /tmp/listing /src/flavour /out/',
  'COPY --from=base /base.txt /',
  'CMD ["cat", "/out/listing", "/out/flavour", "/base.txt"]',
].join('\n');

test('multi-stage: COPY --from, --target, --build-arg, .dockerignore with exceptions; unused stages are skipped', async () => {
  const ctx = suite.context('multi', {
    'Dockerfile': MULTI,
    '.dockerignore': '*.log\n!keep.log\nsecret/\n**/tmp\n',
    'app.txt': 'app\n',
    'debug.log': 'no\n',
    'keep.log': 'yes\n',
    'secret/key': 'no\n',
    'deep/tmp/x': 'no\n',
    'deep/ok': 'yes\n',
  });
  const b = await build(['-t', 'multi', '--build-arg', 'FLAVOUR=spicy', ctx]);
  assert.ok(!/never/.test(b.stderr), 'the unused stage was not built');
  assert.equal(await run('multi'), '.dockerignore\nDockerfile\napp.txt\ndeep\nkeep.log\nspicy\nbase\n');
  assert.equal(await run('multi', 'sh', '-c', 'ls /out'), 'flavour\nlisting\n');
  await build(['-t', 'mid', '--target', 'build', ctx]);
  assert.equal(await run('mid', 'sh', '-c', 'cat /src/flavour /base.txt; ls /src/deep'), 'plain\nbase\nok\n');
});

test('cache: nothing changed reruns nothing; a touched file reruns its COPY and later steps; --no-cache reruns all', async () => {
  const ctx = suite.context('cache', {
    'Dockerfile': ['FROM busybox', 'RUN echo first > /first', 'COPY a.txt /a.txt', 'RUN cat /a.txt > /copy', 'COPY b.txt /b.txt', 'RUN echo last > /last'].join('\n'),
    'a.txt': 'a1\n',
    'b.txt': 'b1\n',
  });
  const first = await build(['-t', 'cache', ctx]);
  assert.equal(first.ran.length, 5);
  const id = async (): Promise<string> => (JSON.parse((await suite.sb.cove(['image', 'inspect', 'cache'])).stdout) as Array<{ Id: string }>)[0]?.Id ?? '';
  const firstId = await id();
  const second = await build(['-t', 'cache', ctx]);
  assert.deepEqual(second.ran, [], 'a second build reruns no step');
  assert.equal(second.cached.length, 5);
  assert.equal(await id(), firstId, 'a fully cached rebuild makes the same image (no dangling copy)');
  fs.writeFileSync(path.join(ctx, 'b.txt'), 'b2\n');
  const touched = await build(['-t', 'cache', ctx]);
  assert.deepEqual(touched.ran, ['COPY b.txt /b.txt', 'RUN echo last > /last']);
  assert.deepEqual(touched.cached, ['RUN echo first > /first', 'COPY a.txt /a.txt', 'RUN cat /a.txt > /copy']);
  assert.equal(await run('cache', 'cat', '/b.txt'), 'b2\n');
  const all = await build(['-t', 'cache', '--no-cache', ctx]);
  assert.equal(all.ran.length, 5);
  assert.deepEqual(all.cached, []);
  const df = await suite.sb.cove(['system', 'df']);
  assert.match(df.stdout, /^Build Cache\s+\d+\s+0\s+\S+/m, df.stdout);
});

test('a rebuild after touching one copied file links the unchanged files from the previous layer; the earlier image keeps its content', async () => {
  const ctx = suite.context('linked', { 'Dockerfile': 'FROM busybox\nCOPY src /src/\n', 'src/a.txt': 'a\n', 'src/b.txt': 'b1\n' });
  await build(['-t', 'linked:1', ctx]);
  fs.writeFileSync(path.join(ctx, 'src', 'b.txt'), 'b2\n');
  assert.deepEqual((await build(['-t', 'linked:2', ctx])).ran, ['COPY src /src/']);
  assert.equal(await run('linked:1', 'cat', '/src/a.txt', '/src/b.txt'), 'a\nb1\n');
  assert.equal(await run('linked:2', 'cat', '/src/a.txt', '/src/b.txt'), 'a\nb2\n');
  const inodes = (name: string): Set<number> => {
    const layers = path.join(suite.sb.home, 'layers');
    const found = fs.readdirSync(layers).map((l) => path.join(layers, l, 'diff', 'src', name)).filter((p) => fs.existsSync(p));
    assert.equal(found.length, 2, `two COPY layers hold ${name}`);
    return new Set(found.map((p) => fs.statSync(p).ino));
  };
  assert.equal(inodes('a.txt').size, 1, 'the unchanged file is one inode shared by both layers');
  assert.equal(inodes('b.txt').size, 2, 'the changed file was written anew');
});

test('the cache is no leftover: system check --repair and rmi keep it, system df counts it; builder prune forgets it', async () => {
  const ctx = suite.context('prune', { 'Dockerfile': 'FROM busybox\nRUN echo pruned > /p\n' });
  await build(['-t', 'prune', ctx]);
  assert.deepEqual((await build(['-t', 'prune', ctx])).ran, []);
  // With the image gone, only the cache holds the RUN's layer.
  assert.equal((await suite.sb.cove(['rmi', 'prune'])).code, 0);
  const check = await suite.sb.cove(['system', 'check', '--repair']);
  assert.equal(check.code, 0, check.stderr);
  assert.doesNotMatch(check.stdout, /unreferenced (blob|layer)/, check.stdout);
  const df = await suite.sb.cove(['system', 'df', '--format', '{{.Type}}={{.Size}}={{.Reclaimable}}']);
  const row = /^Build Cache=(\S+)=(\S+)/m.exec(df.stdout);
  assert.ok(row && row[1] !== '0B' && row[2] !== '0B', `the cache's layers are counted as build cache and reclaimable:\n${df.stdout}`);
  assert.deepEqual((await build(['-t', 'prune', ctx])).ran, [], 'after rmi and check --repair the cache still hits');
  const pr = await suite.sb.cove(['builder', 'prune']);
  assert.equal(pr.code, 0, pr.stderr);
  assert.match(pr.stdout, /Deleted build cache objects: \d+\nTotal reclaimed space: /);
  assert.deepEqual((await build(['-t', 'prune', ctx])).ran, ['RUN echo pruned > /p']);
  assert.equal(await run('prune', 'cat', '/p'), 'pruned\n');
});

test('cache: a changed build-arg invalidates exactly the steps that use it', async () => {
  const ctx = suite.context('args', {
    'Dockerfile': ['FROM busybox', 'RUN echo before > /before', 'ARG V=1', 'COPY x.txt /x.txt', 'RUN echo "$V" > /v', 'RUN echo after > /after'].join('\n'),
    'x.txt': 'x\n',
  });
  await build(['-t', 'args', ctx]);
  const changed = await build(['-t', 'args', '--build-arg', 'V=2', ctx]);
  assert.deepEqual(changed.cached, ['RUN echo before > /before', 'COPY x.txt /x.txt'], 'steps before the first use stay cached');
  assert.deepEqual(changed.ran, ['RUN echo "$V" > /v', 'RUN echo after > /after']);
  assert.equal(await run('args', 'cat', '/v'), '2\n');
});

test('the built image pushes to a registry and pulls back with the same digest', async () => {
  const reg: TestRegistry = await startRegistry();
  try {
    const ctx = suite.context('push', { 'Dockerfile': 'FROM busybox\nCOPY f /f\nRUN cat /f > /g\n', 'f': 'pushed\n' });
    const dest = `${reg.host}/built/app:1`;
    await build(['-t', dest, ctx]);
    const before = JSON.parse((await suite.sb.cove(['image', 'inspect', dest])).stdout)[0] as { Id: string; Manifest: { Digest: string } };
    const pushed = await suite.sb.cove(['push', dest]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal((await suite.sb.cove(['rmi', dest])).code, 0);
    const pulled = await suite.sb.cove(['pull', dest]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const after = JSON.parse((await suite.sb.cove(['image', 'inspect', dest])).stdout)[0] as { Id: string; Manifest: { Digest: string } };
    assert.equal(after.Id, before.Id);
    assert.equal(after.Manifest.Digest, before.Manifest.Digest);
    assert.equal(await run(dest, 'cat', '/g'), 'pushed\n');
  } finally {
    await reg.stop();
  }
});

test('bad input: syntax errors name file:line, a failing RUN gives its exit code and output, nothing is tagged', async () => {
  const bad = suite.context('bad-syntax', { 'Dockerfile': 'FROM busybox\nRUNN echo\n' });
  const syntax = await suite.sb.cove(['build', bad]);
  assert.notEqual(syntax.code, 0);
  assert.match(syntax.stderr, /Dockerfile:2: unknown instruction: RUNN \[E_DOCKERFILE_INVALID\]/);
  const missing = suite.context('bad-copy', { 'Dockerfile': 'FROM busybox\nCOPY nope.txt /\n' });
  const m = await suite.sb.cove(['build', missing]);
  assert.match(m.stderr, /Dockerfile:2: COPY failed: nope\.txt not found in the build context.*\[E_BUILD_FAILED\]/);
  const base = suite.context('bad-base', { 'Dockerfile': 'FROM localhost:1/no/such:image\n' });
  const nb = await suite.sb.cove(['build', base]);
  assert.match(nb.stderr, /base image localhost:1\/no\/such:image is not in the store and could not be pulled/);
  const failing = suite.context('bad-run', { 'Dockerfile': 'FROM busybox\nRUN echo ok > /ok\nRUN echo line-one; echo line-two >&2; exit 3\n' });
  const f = await suite.sb.cove(['build', '-t', 'never-tagged', failing]);
  assert.equal(f.code, 1);
  assert.match(f.stderr, /Dockerfile:3: RUN echo line-one; echo line-two >&2; exit 3 failed with exit code 3; its last output:\n/);
  assert.match(f.stderr, /its last output:[\s\S]*line-one/);
  assert.match(f.stderr, /its last output:[\s\S]*line-two/);
  assert.notEqual((await suite.sb.cove(['image', 'inspect', 'never-tagged'])).code, 0, 'a failed build tags nothing');
  const again = await build(['-t', 'half', suite.context('bad-run-fixed', { 'Dockerfile': 'FROM busybox\nRUN echo ok > /ok\nRUN true\n' })]);
  assert.deepEqual(again.cached, ['RUN echo ok > /ok'], 'the step that succeeded before the failure is cached');
});

test('context symlinks are copied as links, never followed out of the context; a tar context on stdin works', async () => {
  const outside = path.join(suite.work, 'outside-secret');
  fs.writeFileSync(outside, 'host secret\n');
  const ctx = suite.context('links', { 'Dockerfile': 'FROM busybox\nCOPY . /ctx/\n', 'real.txt': 'real\n' });
  fs.symlinkSync(outside, path.join(ctx, 'escape'));
  fs.symlinkSync('../../..', path.join(ctx, 'up'));
  await build(['-t', 'links', ctx]);
  assert.equal(await run('links', 'sh', '-c', 'readlink /ctx/escape; readlink /ctx/up; cat /ctx/escape 2>&1 || true'), `${outside}\n../../..\ncat: can't open '/ctx/escape': No such file or directory\n`);
  const tarred = execFileSync('tar', ['-c', '-C', ctx, 'Dockerfile', 'real.txt']);
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cliPath(), 'build', '-t', 'fromtar', '-'], { env: suite.sb.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    child.stdin.end(tarred);
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await run('fromtar', 'cat', '/ctx/real.txt'), 'real\n');
});
