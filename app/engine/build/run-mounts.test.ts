import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, type Instruction } from './dockerfile-parser.js';
import { parseRunMounts } from './run-mounts.js';
import { parseSecrets } from '../../cli/build-commands.js';

const mounts = (line: string, workdir = '/'): ReturnType<typeof parseRunMounts> => parseRunMounts('Dockerfile', parseDockerfile(`FROM scratch\n${line}\n`).instructions[1] as Instruction, workdir);

test('RUN --mount: defaults and aliases as BuildKit has them', () => {
  assert.deepEqual(mounts('RUN --mount=target=rel true', '/app'), [{ type: 'bind', target: '/app/rel', source: '/', from: null, readWrite: false }]);
  assert.deepEqual(mounts('RUN --mount=type=bind,src=x,dst=/y,from=s,readwrite true'), [{ type: 'bind', target: '/y', source: 'x', from: 's', readWrite: true }]);
  assert.deepEqual(mounts('RUN --mount=type=secret,id=a true'), [{ type: 'secret', target: '/run/secrets/a', id: 'a', env: null, required: false, mode: 0o400, uid: 0, gid: 0 }]);
  assert.deepEqual(mounts('RUN --mount=type=secret,id=a,env=A,required=true,uid=5 true'), [{ type: 'secret', target: null, id: 'a', env: 'A', required: true, mode: 0o400, uid: 5, gid: 0 }]);
  assert.deepEqual(mounts('RUN --mount=type=tmpfs,target=/t,size=10m --mount=type=cache,target=/c,ro true'), [
    { type: 'tmpfs', target: '/t', size: '10m' },
    { type: 'cache', target: '/c', id: '/c', readOnly: true },
  ]);
  assert.throws(() => mounts('RUN --mount=type=secret,id=a,mode=9 true'), /Dockerfile:2: .*mode=9 is not an octal mode/);
  assert.throws(() => mounts('RUN --mount=type=bind true'), /Dockerfile:2: .*needs target=/);
});

test('--secret: a file, an environment variable, errors', () => {
  assert.deepEqual(parseSecrets(['id=a,src=/f', 'id=b,env=B', 'id=C', 'id=d,type=env,source=B'], { B: 'bee', C: 'sea' }), { a: { file: '/f' }, b: { value: 'bee' }, C: { value: 'sea' }, d: { value: 'bee' } });
  assert.throws(() => parseSecrets(['src=/f']), /id= is missing/);
  assert.throws(() => parseSecrets(['id=x'], {}), /the environment variable x is not set/);
  assert.throws(() => parseSecrets(['id=x,type=ssh']), /type=ssh/);
});
