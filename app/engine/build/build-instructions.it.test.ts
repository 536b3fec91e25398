// Real builds as the test user from the busybox fixture: every instruction
// is proven by running (or reading the config of) the image it made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildSandbox } from '../../testing/build-sandbox.js';

const suite = buildSandbox('cove-build-it-');

async function ok(args: string[], timeoutMs = 120_000): Promise<{ stdout: string; stderr: string }> {
  const r = await suite.sb.cove(args, { timeoutMs });
  assert.equal(r.code, 0, `cove ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

async function imageConfig(ref: string): Promise<Record<string, unknown>> {
  const id = (JSON.parse((await ok(['image', 'inspect', ref])).stdout) as Array<{ Id: string }>)[0]?.Id ?? '';
  const blob = fs.readFileSync(path.join(suite.sb.home, 'blobs', 'sha256', id.replace(/^sha256:/, '')), 'utf8');
  return JSON.parse(blob) as Record<string, unknown>;
}

test('ENV, ARG, WORKDIR, USER, COPY --chown/--chmod, heredocs, SHELL and CMD take effect in the image', async () => {
  const ctx = suite.context('basic', {
    'Dockerfile': [
      'ARG BASE=busybox',
      'FROM ${BASE}',
      'ARG WHO=builder',
      'ENV GREETING="hello world" PLACE=/srv',
      'WORKDIR $PLACE',
      'WORKDIR sub',
      'COPY --chown=user:user --chmod=0640 a.txt ./',
      'COPY <<EOF /etc/inline.conf',
      'inline ${GREETING}',
      'EOF',
      'RUN <<EOS',
      'echo "by $WHO in $(pwd)" > made.txt',
      'EOS',
      'SHELL ["/bin/sh", "-e", "-c"]',
      'RUN test "$WHO" = builder && echo shell-ok > shell.txt',
      'USER user',
      'CMD ["sh", "-c", "echo $GREETING; cat made.txt shell.txt /etc/inline.conf; stat -c \'%U %a\' a.txt; id -un; pwd"]',
    ].join('\n'),
    'a.txt': 'a\n',
  });
  await ok(['build', '-t', 'basic', ctx]);
  const run = await ok(['run', '--rm', 'basic']);
  assert.equal(run.stdout, 'hello world\nby builder in /srv/sub\nshell-ok\ninline hello world\nuser 640\nuser\n/srv/sub\n');
  const cfg = (await imageConfig('basic')) as { config: { Env: string[] } };
  assert.ok(!cfg.config.Env.some((e) => e.startsWith('WHO=')), 'build args are not persisted as ENV');
});

test('ENTRYPOINT, EXPOSE, VOLUME, LABEL, HEALTHCHECK, STOPSIGNAL, ONBUILD and --label land in the config', async () => {
  const ctx = suite.context('config', {
    'Dockerfile': [
      'FROM busybox',
      'LABEL org.example.name="demo app" version=1',
      'EXPOSE 8080 53/udp',
      'VOLUME ["/data"]',
      'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s --retries=2 CMD wget -q -O- http://localhost/ || exit 1',
      'ONBUILD RUN echo triggered > /onbuild.txt',
      'ENTRYPOINT ["echo", "entry"]',
      'CMD ["default-arg"]',
    ].join('\n'),
  });
  await ok(['build', '-t', 'cfg', '--label', 'extra=yes', ctx]);
  const c = (await imageConfig('cfg')) as { config: Record<string, unknown>; history: Array<{ created_by: string }> };
  assert.deepEqual(c.config.Labels, { 'org.example.name': 'demo app', version: '1', extra: 'yes' });
  assert.deepEqual(c.config.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
  assert.deepEqual(c.config.Volumes, { '/data': {} });
  assert.equal(c.config.StopSignal, 'SIGINT');
  assert.deepEqual(c.config.Healthcheck, { Test: ['CMD-SHELL', 'wget -q -O- http://localhost/ || exit 1'], Interval: 5e9, Retries: 2 });
  assert.deepEqual(c.config.OnBuild, ['RUN echo triggered > /onbuild.txt']);
  assert.ok(c.history.some((h) => h.created_by.startsWith('ENTRYPOINT')), 'history has a step per instruction');
  assert.equal((await ok(['run', '--rm', 'cfg'])).stdout, 'entry default-arg\n');
  assert.equal((await ok(['run', '--rm', 'cfg', 'given'])).stdout, 'entry given\n');
  const child = suite.context('onbuild-child', { 'Dockerfile': 'FROM cfg\nENTRYPOINT []\nCMD ["cat", "/onbuild.txt"]\n' });
  await ok(['build', '-t', 'child', child]);
  assert.equal((await ok(['run', '--rm', 'child'])).stdout, 'triggered\n', 'the ONBUILD trigger ran in the child build');
  assert.equal(((await imageConfig('child')) as { config: { OnBuild?: unknown } }).config.OnBuild, undefined, 'triggers are not inherited twice');
});

test('ADD extracts a local tar and fetches a URL; RUN --network=none and --mount=type=cache', async () => {
  const ctx = suite.context('add', { 'payload/inner/file.txt': 'from tar\n' });
  execFileSync('tar', ['-czf', path.join(ctx, 'payload.tar.gz'), '-C', path.join(ctx, 'payload'), '.']);
  const server = http.createServer((_req, res) => res.end('fetched body\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM busybox',
      'ADD payload.tar.gz /opt/',
      `ADD http://127.0.0.1:${port}/files/remote.txt /dl/`,
      `ADD --checksum=sha256:${crypto.createHash('sha256').update('fetched body\n').digest('hex')} http://127.0.0.1:${port}/x /checked.txt`,
      'RUN --network=none cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " > /ifaces',
      'RUN --mount=type=cache,target=/cache echo run >> /cache/log && cp /cache/log /cache-seen',
    ].join('\n'));
    await ok(['build', '-t', 'add', ctx]);
    const r = await ok(['run', '--rm', 'add', 'sh', '-c', 'cat /opt/inner/file.txt /dl/remote.txt /checked.txt /ifaces; stat -c %a /dl/remote.txt; ls /cache 2>/dev/null | wc -l']);
    assert.equal(r.stdout, 'from tar\nfetched body\nfetched body\nlo\n600\n0\n', 'the cache mount is not part of the image');
    await ok(['build', '--no-cache', '-t', 'add2', ctx]);
    assert.equal((await ok(['run', '--rm', 'add2', 'cat', '/cache-seen'])).stdout, 'run\nrun\n', 'the cache mount kept its files between builds');
  } finally {
    server.close();
  }
});

test('layers: a deleted file is gone, USER files belong to that uid, hardlinks stay linked', async () => {
  const ctx = suite.context('layers', {
    'Dockerfile': [
      'FROM busybox',
      'RUN rm /bin/vi && mkdir /data && echo one > /data/a && ln /data/a /data/b',
      'USER user',
      'RUN echo mine > /home/user/mine.txt',
      'COPY a.txt /home/user/copied/a.txt',
    ].join('\n'),
    'a.txt': 'a\n',
  });
  await ok(['build', '-t', 'layers', ctx]);
  const r = await ok(['run', '--rm', 'layers', 'sh', '-c', 'ls /bin/vi 2>/dev/null || echo gone; stat -c "%u %g" /home/user/mine.txt; stat -c "%i %h" /data/a /data/b; stat -c "%u %a" /home/user /home/user/copied /home/user/copied/a.txt']);
  const [gone, owner, a, b, home, copiedDir, copied] = r.stdout.trim().split('\n');
  assert.equal(home, '1000 755', 'a COPY under an existing directory keeps its owner');
  assert.equal(copiedDir, '0 755');
  assert.equal(copied, '0 644');
  assert.equal(gone, 'gone');
  assert.equal(owner, '1000 1000');
  assert.equal(a, b, 'same inode, two links');
  assert.match(a ?? '', / 2$/);
  // The layer itself records the owner (not just the running container).
  const saved = path.join(suite.work, 'layers.tar');
  await ok(['save', '-o', saved, 'layers']);
  const listing = execFileSync('sh', ['-c', `mkdir -p ${suite.work}/x && tar -xf ${saved} -C ${suite.work}/x && for l in $(find ${suite.work}/x -name '*.tar' -o -path '*/blobs/sha256/*' -type f); do tar --numeric-owner -tvf $l 2>/dev/null || true; done`], { encoding: 'utf8' });
  assert.match(listing, /1000\/1000 .* home\/user\/mine\.txt/);
  assert.match(listing, /\.wh\.vi/, 'the deletion is a whiteout entry');
});
