// COPY --parents and --exclude (BuildKit's Dockerfile reference), built for
// real as the test user and checked inside a container of the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildSandbox } from '../../testing/build-sandbox.js';

const suite = buildSandbox('cove-copy-flags-it-');

test('COPY --parents keeps source paths (after a /./ pivot); --exclude leaves out matches and is not in the cache key', async () => {
  const files: Record<string, string> = {
    'Dockerfile': [
      'FROM busybox',
      'COPY --parents ./x/a.txt ./y/a.txt /parents/',
      'COPY --parents ./src/./dir/*.txt /pivot/',
      'COPY --parents src/dir /whole/',
      'COPY --exclude=*.txt hom* /ex/',
      'COPY --exclude=*.txt --exclude=**/deep* homdir /ex2/',
    ].join('\n'),
    'x/a.txt': 'x\n',
    'y/a.txt': 'y\n',
    'src/dir/one.txt': '1\n',
    'src/dir/two.md': '2\n',
    'hom1.txt': 'h1\n',
    'hom2.md': 'h2\n',
    'homdir/keep.js': 'k\n',
    'homdir/skip.txt': 's\n',
    'homdir/sub/deep.txt': 'd\n',
  };
  const ctx = suite.context('copy', files);
  const b = await suite.sb.cove(['build', '--progress', 'plain', '-t', 'copyflags', ctx], { timeoutMs: 180_000 });
  assert.equal(b.code, 0, b.stderr);
  const r = await suite.sb.cove(['run', '--rm', 'copyflags', 'sh', '-c', 'cd / && find parents pivot whole ex ex2 | sort; cat parents/x/a.txt parents/y/a.txt']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'ex', 'ex/hom2.md', 'ex/keep.js', 'ex/sub', 'ex/sub/deep.txt',
      'ex2', 'ex2/keep.js', 'ex2/sub',
      'parents', 'parents/x', 'parents/x/a.txt', 'parents/y', 'parents/y/a.txt',
      'pivot', 'pivot/dir', 'pivot/dir/one.txt',
      'whole', 'whole/src', 'whole/src/dir', 'whole/src/dir/one.txt', 'whole/src/dir/two.md',
      'x', 'y', '',
    ].join('\n'),
  );
  // An excluded file is not part of what the step copies: changing it reruns nothing.
  fs.writeFileSync(path.join(ctx, 'homdir', 'skip.txt'), 'changed\n');
  const again = await suite.sb.cove(['build', '--progress', 'plain', '-t', 'copyflags', ctx], { timeoutMs: 180_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.stderr.match(/^#\d+ CACHED$/gm) ?? []).length, 5, again.stderr);
  const bad = path.join(ctx, 'bad');
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, 'Dockerfile'), 'FROM busybox AS a\nFROM busybox\nCOPY --from=a --exclude=*.txt / /x/\n');
  const refused = await suite.sb.cove(['build', bad]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Dockerfile:3: COPY --from with --exclude is not supported yet/);
});
