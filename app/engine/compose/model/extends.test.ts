import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempProject } from './test-project.js';

test('extends in the same file: mappings merged, sequences appended, scalars of the extending service win; chains resolve', async () => {
  const p = tempProject({
    'compose.yaml': [
      'services:',
      '  base:',
      '    image: busybox',
      '    user: root',
      '    environment: { TZ: utc, PORT: "80" }',
      '    cap_add: [NET_ADMIN]',
      '    volumes: ["common:/data:rw"]',
      '  common:',
      '    extends: base',
      '    image: alpine',
      '  cli:',
      '    extends: { service: common }',
      '    environment: [PORT=8080]',
      '    cap_add: [SYS_TIME]',
      '    volumes: ["cli:/data:ro"]',
      'volumes: { common: {}, cli: {} }',
      '',
    ].join('\n'),
  });
  try {
    const cli = (await p.load()).project.services.cli;
    assert.equal(cli?.image, 'alpine');
    assert.equal(cli?.user, 'root');
    assert.deepEqual(cli?.environment, { TZ: 'utc', PORT: '8080' });
    assert.deepEqual(cli?.capAdd, ['NET_ADMIN', 'SYS_TIME']);
    assert.deepEqual(cli?.volumes, [{ type: 'volume', source: 'cli', target: '/data', readOnly: true }]);
  } finally {
    p.cleanup();
  }
});

test('extends from another file: its relative paths keep pointing into its own directory', async () => {
  const p = tempProject({
    'compose.yaml': 'services:\n  web:\n    extends: { file: common/base.yaml, service: app }\n    environment: { MODE: prod }\n',
    'common/base.yaml': 'services:\n  app:\n    build: ./src\n    env_file: app.env\n    volumes: ["./static:/static"]\n',
    'common/app.env': 'FROM_BASE=1\n',
  });
  try {
    const web = (await p.load()).project.services.web;
    assert.equal(web?.build?.context, path.join(p.dir, 'common', 'src'));
    assert.deepEqual(web?.environment, { FROM_BASE: '1', MODE: 'prod' });
    assert.equal(web?.volumes[0]?.source, path.join(p.dir, 'common', 'static'));
  } finally {
    p.cleanup();
  }
});

test('extends errors: a cycle, a missing service, a missing file', async () => {
  const p = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n' });
  try {
    assert.match(await p.error(), /compose\.yaml:4:14: extends cycle: a -> b -> a/);
  } finally {
    p.cleanup();
  }
  const q = tempProject({ 'compose.yaml': 'services:\n  a:\n    extends: { service: nope }\n', 'other.yaml': 'services: {}\n' });
  try {
    assert.match(await q.error(), /compose\.yaml:3:5: services\.a\.extends: service "nope" not found in .*compose\.yaml/);
  } finally {
    q.cleanup();
  }
  const r = tempProject({ 'compose.yaml': 'services:\n  a:\n    extends: { file: missing.yaml, service: x }\n' });
  try {
    assert.match(await r.error(), /missing\.yaml: no such file/);
  } finally {
    r.cleanup();
  }
});
