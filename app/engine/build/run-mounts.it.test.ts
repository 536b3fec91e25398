// RUN --mount types other than cache, built for real as the test user:
// bind (context and stage, read-only by default, rw thrown away), tmpfs,
// and secret (never in a layer or in the cache key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildSandbox } from '../../testing/build-sandbox.js';

const suite = buildSandbox('cove-run-mounts-it-');

async function build(args: string[]): Promise<{ stderr: string; ran: string[] }> {
  const r = await suite.sb.cove(['build', '--progress', 'plain', ...args], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, `cove build ${args.join(' ')}:\n${r.stderr}`);
  const label = new Map<string, string>();
  for (const m of r.stderr.matchAll(/^#(\d+) \[[^\]]+\] (.*)$/gm)) label.set(m[1] as string, m[2] as string);
  const ran = [...r.stderr.matchAll(/^#(\d+) DONE/gm)].map((m) => label.get(m[1] as string)).filter((l): l is string => l !== undefined && !l.startsWith('FROM'));
  return { stderr: r.stderr, ran };
}

async function run(image: string, script: string): Promise<string> {
  const r = await suite.sb.cove(['run', '--rm', image, 'sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('bind mounts: the context read-only (without what .dockerignore excludes), rw writes thrown away, a stage whole or a path of it; tmpfs; no mount point is left in the image', async () => {
  const ctx = suite.context('bind', {
    'Dockerfile': [
      'FROM busybox AS tools',
      'RUN mkdir -p /opt/t && echo tool > /opt/t/x',
      'FROM busybox',
      'RUN --mount=type=bind,source=data,target=/mnt sh -c \'cat /mnt/a.txt > /ro; ls -A /mnt > /listing; touch /mnt/new 2>/dev/null && echo writable > /ro-write || echo read-only > /ro-write\'',
      'RUN --mount=type=bind,target=/ctx,rw sh -c \'echo scribble > /ctx/data/a.txt && cat /ctx/data/a.txt > /rw\'',
      'RUN --mount=type=bind,from=tools,target=/t cat /t/opt/t/x > /stage-root',
      'RUN --mount=type=bind,from=tools,source=/opt/t,target=/deep/s cat /deep/s/x > /stage-path',
      'RUN --mount=type=tmpfs,target=/scratch,size=1m sh -c \'echo x > /scratch/f && grep -q " /scratch tmpfs " /proc/mounts && echo tmpfs > /tmpfs\'',
    ].join('\n'),
    '.dockerignore': 'data/ignored.txt\n',
    'data/a.txt': 'from-context\n',
    'data/ignored.txt': 'hidden\n',
  });
  await build(['-t', 'binds', ctx]);
  assert.equal(await run('binds', 'cat /ro /listing /ro-write /rw /stage-root /stage-path /tmpfs'), 'from-context\na.txt\nread-only\nscribble\ntool\ntool\ntmpfs\n');
  assert.equal(fs.readFileSync(path.join(ctx, 'data', 'a.txt'), 'utf8'), 'from-context\n', 'an rw bind does not write to the context');
  assert.equal(await run('binds', 'for p in /mnt /ctx /t /deep /scratch; do [ -e $p ] && echo $p; done; true'), '', 'mount points are not in the image');
  // The bound content is in the key: a change reruns that step (and those after it), not the ones before.
  fs.writeFileSync(path.join(ctx, 'data', 'a.txt'), 'changed\n');
  const again = await build(['-t', 'binds', ctx]);
  assert.equal(again.ran[0], "RUN --mount=type=bind,source=data,target=/mnt sh -c 'cat /mnt/a.txt > /ro; ls -A /mnt > /listing; touch /mnt/new 2>/dev/null && echo writable > /ro-write || echo read-only > /ro-write'");
  assert.equal(await run('binds', 'cat /ro'), 'changed\n');
});

test('secret mounts: a file at /run/secrets/ID (0400) or an env var, never in a layer or the cache key; a missing required secret fails clearly', async () => {
  const secret = path.join(suite.work, 'token.txt');
  fs.writeFileSync(secret, 's3cr3t-value-1\n');
  const ctx = suite.context('secret', {
    'Dockerfile': [
      'FROM busybox',
      'RUN --mount=type=secret,id=tok sh -c \'wc -c < /run/secrets/tok > /size; stat -c %a /run/secrets/tok > /mode\'',
      'RUN --mount=type=secret,id=tok,env=TOKEN,target=/etc/tok.txt,mode=0440 sh -c \'[ "$(printf %s "$TOKEN" | md5sum)" = "$(md5sum < /etc/tok.txt)" ] && echo same > /env\'',
    ].join('\n'),
  });
  await build(['-t', 'secret', '--secret', `id=tok,src=${secret}`, ctx]);
  assert.equal(await run('secret', 'cat /size /mode /env; ls -A /run; [ -e /etc/tok.txt ] || echo gone'), '15\n400\nsame\ngone\n');
  const blobs = path.join(suite.sb.home, 'blobs');
  const files = fs.readdirSync(blobs, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
  assert.ok(files.length > 0);
  for (const f of files) assert.ok(!fs.readFileSync(f).includes('s3cr3t-value'), `the secret is in blob ${f}`);
  fs.writeFileSync(secret, 's3cr3t-value-2\n');
  assert.deepEqual((await build(['-t', 'secret', '--secret', `id=tok,src=${secret}`, ctx])).ran, [], 'a changed secret is not a cache miss');
  const required = suite.context('secret-required', { 'Dockerfile': 'FROM busybox\nRUN --mount=type=secret,id=absent,required cat /run/secrets/absent\n' });
  const r = await suite.sb.cove(['build', required]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Dockerfile:2: the secret absent is required: give it with cove build --secret id=absent,src=FILE/);
  const optional = suite.context('secret-optional', { 'Dockerfile': 'FROM busybox\nRUN --mount=type=secret,id=absent sh -c \'[ -e /run/secrets/absent ] || echo none > /o\'\n' });
  await build(['-t', 'optional', optional]);
  assert.equal(await run('optional', 'cat /o'), 'none\n');
});

test('bad mounts are refused with the line: unknown types and options, ssh, a bind out of the context', async () => {
  const cases: Array<[string, RegExp]> = [
    ['RUN --mount=type=nfs,target=/x true', /Dockerfile:2: RUN --mount=type=nfs,target=\/x: unknown type nfs/],
    ['RUN --mount=type=tmpfs,target=/x,from=a true', /Dockerfile:2: .*type=tmpfs does not take from/],
    ['RUN --mount=type=ssh true', /Dockerfile:2: RUN --mount=type=ssh is not supported/],
    ['RUN --mount=type=bind,source=../..,target=/x true', /Dockerfile:2: .*(outside the build context|leads out of the build context)/],
  ];
  for (const [line, want] of cases) {
    const ctx = suite.context(`bad-${cases.findIndex((c) => c[0] === line)}`, { 'Dockerfile': `FROM busybox\n${line}\n` });
    const r = await suite.sb.cove(['build', ctx]);
    assert.equal(r.code, 1, line);
    assert.match(r.stderr, want, r.stderr);
  }
});
