import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempProject } from './test-project.js';

test('discovery: compose.yaml in a parent directory plus its override; the project directory is where the file is', async () => {
  const p = tempProject({
    'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n',
    'compose.override.yaml': 'services:\n  web:\n    ports: ["9090:90"]\n    environment: { A: "1" }\n',
    'sub/deeper/.keep': '',
  }, 'My App.1');
  try {
    const { project } = await p.load({ cwd: path.join(p.dir, 'sub', 'deeper') });
    assert.equal(project.name, 'myapp1', 'directory name lowercased, only [a-z0-9_-]');
    assert.equal(project.workingDir, p.dir);
    assert.deepEqual(project.configFiles, [path.join(p.dir, 'compose.yaml'), path.join(p.dir, 'compose.override.yaml')]);
    assert.deepEqual(project.services.web?.ports.map((x) => `${x.published}:${x.target}`), ['8080:80', '9090:90']);
    assert.deepEqual(project.services.web?.environment, { A: '1' });
    assert.equal(project.networks.default?.name, 'myapp1_default');
  } finally {
    p.cleanup();
  }
});

test('discovery: the first of compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml wins, with a warning; none is an error', async () => {
  const p = tempProject({ 'docker-compose.yml': 'services:\n  a:\n    image: x\n', 'compose.yml': 'services:\n  b:\n    image: x\n' });
  try {
    const { project, warnings } = await p.load();
    assert.deepEqual(Object.keys(project.services), ['b']);
    assert.match(warnings.join('\n'), /Found multiple config files/);
    fs.rmSync(path.join(p.dir, 'compose.yml'));
    fs.rmSync(path.join(p.dir, 'docker-compose.yml'));
    assert.match(await p.error(), /no configuration file provided/);
  } finally {
    p.cleanup();
  }
});

test('several -f files merge in order: mappings merged, command replaced, ports/volumes unique by key, environment by name', async () => {
  const p = tempProject({
    'a.yml': [
      'services:',
      '  web:',
      '    image: web:1',
      '    command: ["run", "a"]',
      '    ports: ["8080:80", "8443:443"]',
      '    volumes: ["data:/data", "./logs:/logs"]',
      '    environment: ["A=1", "B=2"]',
      '    labels: { one: "1" }',
      '    dns: [1.1.1.1]',
      '    expose: ["3000"]',
      'volumes:',
      '  data: {}',
      '  other: {}',
      '',
    ].join('\n'),
    'b.yml': [
      'services:',
      '  web:',
      '    image: web:2',
      '    command: run b',
      '    ports: ["8080:80", "9000:90"]',
      '    volumes: ["other:/data"]',
      '    environment: { B: "3", C: "4" }',
      '    labels: ["two=2"]',
      '    dns: [8.8.8.8]',
      '    expose: ["3000", "4000"]',
      '',
    ].join('\n'),
  });
  try {
    const { project } = await p.load({ files: ['a.yml', 'b.yml'] });
    const web = project.services.web;
    assert.ok(web);
    assert.equal(web.image, 'web:2');
    assert.deepEqual(web.command, ['run', 'b']);
    assert.deepEqual(web.ports.map((x) => `${x.published}:${x.target}`), ['8080:80', '8443:443', '9000:90']);
    assert.deepEqual(web.volumes.map((v) => `${v.source}:${v.target}`), ['other:/data', `${path.join(p.dir, 'logs')}:/logs`]);
    assert.deepEqual(web.environment, { A: '1', B: '3', C: '4' });
    assert.deepEqual(web.labels, { one: '1', two: '2' });
    assert.deepEqual(web.dns, ['1.1.1.1', '8.8.8.8']);
    assert.deepEqual(web.expose, ['3000', '4000']);
    assert.deepEqual(project.configFiles, [path.join(p.dir, 'a.yml'), path.join(p.dir, 'b.yml')]);
  } finally {
    p.cleanup();
  }
});

test('!reset removes a value and !override replaces instead of merging', async () => {
  const p = tempProject({
    'compose.yaml': 'services:\n  app:\n    image: app\n    ports: ["8080:80"]\n    environment: { FOO: BAR, KEEP: "1" }\n',
    'compose.override.yaml': 'services:\n  app:\n    ports: !override ["8443:443"]\n    environment:\n      FOO: !reset null\n',
  });
  try {
    const { project } = await p.load();
    assert.deepEqual(project.services.app?.ports.map((x) => `${x.published}:${x.target}`), ['8443:443']);
    assert.deepEqual(project.services.app?.environment, { KEEP: '1' });
  } finally {
    p.cleanup();
  }
});

test('interpolation: caller environment over .env, defaults, $$, every string value but no key; --env-file replaces .env', async () => {
  const p = tempProject({
    '.env': 'TAG=fromdotenv\nPORT=8000\nEMPTY=\n',
    'other.env': 'TAG=fromother\n',
    'compose.yaml': [
      'services:',
      '  web:',
      '    image: "img:${TAG}"',
      '    ports: ["$PORT:80"]',
      '    environment:',
      '      D1: ${EMPTY:-d1}',
      '      D2: ${EMPTY-d2}',
      '      D3: ${UNSET-d3}',
      '      ALT: ${TAG:+alt}',
      '      NOALT: ${UNSET:+alt}',
      '      NESTED: ${UNSET:-${TAG:-x}}',
      '      LITERAL: $$HOME and $${TAG}',
      '      BLANK: ${NOPE}',
      '    labels:',
      '      "$KEY_NOT_INTERPOLATED": v',
      '',
    ].join('\n'),
  });
  try {
    const { project, warnings } = await p.load({ environment: { PORT: '9000' } });
    const web = project.services.web;
    assert.equal(web?.image, 'img:fromdotenv');
    assert.equal(web?.ports[0]?.published, '9000', 'the caller environment wins over .env');
    assert.deepEqual(web?.environment, { D1: 'd1', D2: '', D3: 'd3', ALT: 'alt', NOALT: '', NESTED: 'fromdotenv', LITERAL: '$HOME and ${TAG}', BLANK: '' });
    assert.deepEqual(web?.labels, { $KEY_NOT_INTERPOLATED: 'v' });
    assert.ok(warnings.includes('The "NOPE" variable is not set. Defaulting to a blank string.'), warnings.join('\n'));
    const other = await p.load({ envFiles: ['other.env'] });
    assert.equal(other.project.services.web?.image, 'img:fromother');
    assert.equal(other.project.services.web?.ports[0]?.published, undefined, 'PORT came from .env, which --env-file replaces');
  } finally {
    p.cleanup();
  }
});

test('project name: -p, then COMPOSE_PROJECT_NAME, then name: (interpolated, normalised), then the directory; invalid explicit names are refused', async () => {
  const p = tempProject({ 'compose.yaml': 'name: "Proj_${SUFFIX:-x}"\nservices:\n  a:\n    image: x\n' });
  try {
    assert.equal((await p.load()).project.name, 'proj_x');
    assert.equal((await p.load({ environment: { SUFFIX: 'Y' } })).project.name, 'proj_y');
    assert.equal((await p.load({ environment: { COMPOSE_PROJECT_NAME: 'fromenv' } })).project.name, 'fromenv');
    assert.equal((await p.load({ projectName: 'flag', environment: { COMPOSE_PROJECT_NAME: 'fromenv' } })).project.name, 'flag');
    assert.match(await p.error({ projectName: 'Bad Name' }), /invalid project name "Bad Name"/);
    const { project } = await p.load({ projectName: 'n1' });
    assert.equal(project.networks.default?.name, 'n1_default');
  } finally {
    p.cleanup();
  }
});

test('relative paths resolve against the project directory (--project-directory included); ~ is the home directory', async () => {
  const p = tempProject({
    'files/compose.yaml': [
      'services:',
      '  web:',
      '    build: { context: ./app, dockerfile: Dockerfile.dev, args: [A=1], target: dev }',
      '    env_file: ./web.env',
      '    volumes:',
      '      - ../data:/data',
      '      - ~/cache:/cache',
      '      - type: bind',
      '        source: ./conf',
      '        target: /conf',
      '        read_only: true',
      '        bind: { create_host_path: false }',
      '',
    ].join('\n'),
    'files/web.env': 'FROM_FILE=1\n',
    'elsewhere/web.env': 'FROM_ELSEWHERE=1\n',
  });
  try {
    const { project } = await p.load({ files: ['files/compose.yaml'], environment: { HOME: '/home/someone' } });
    const web = project.services.web;
    assert.deepEqual(web?.build, { context: path.join(p.dir, 'files', 'app'), dockerfile: 'Dockerfile.dev', args: { A: '1' }, target: 'dev', labels: {} });
    assert.deepEqual(web?.environment, { FROM_FILE: '1' });
    assert.deepEqual(web?.volumes, [
      { type: 'bind', source: path.join(p.dir, 'data'), target: '/data', readOnly: false, createHostPath: true },
      { type: 'bind', source: '/home/someone/cache', target: '/cache', readOnly: false, createHostPath: true },
      { type: 'bind', source: path.join(p.dir, 'files', 'conf'), target: '/conf', readOnly: true, createHostPath: false },
    ]);
    const moved = await p.load({ files: ['files/compose.yaml'], projectDirectory: 'elsewhere' });
    assert.equal(moved.project.workingDir, path.join(p.dir, 'elsewhere'));
    assert.deepEqual(moved.project.services.web?.environment, { FROM_ELSEWHERE: '1' });
    assert.equal(moved.project.name, 'elsewhere');
  } finally {
    p.cleanup();
  }
});

test('profiles: a service with profiles is off unless one is active (--profile, COMPOSE_PROFILES, *) or it is named', async () => {
  const p = tempProject({
    'compose.yaml': 'services:\n  app:\n    image: x\n  debug:\n    image: x\n    profiles: [dev]\n  tools:\n    image: x\n    profiles: [ops, dev]\n',
  });
  try {
    assert.deepEqual(Object.keys((await p.load()).project.services), ['app']);
    assert.deepEqual(Object.keys((await p.load({ profiles: ['dev'] })).project.services), ['app', 'debug', 'tools']);
    assert.deepEqual(Object.keys((await p.load({ environment: { COMPOSE_PROFILES: 'ops' } })).project.services), ['app', 'tools']);
    assert.deepEqual(Object.keys((await p.load({ profiles: ['*'] })).project.services), ['app', 'debug', 'tools']);
    assert.deepEqual(Object.keys((await p.load({ enabledServices: ['tools'] })).project.services), ['app', 'debug', 'tools'], 'naming tools activates ops and dev');
  } finally {
    p.cleanup();
  }
});

test('COMPOSE_FILE names the files when there is no -f (COMPOSE_PATH_SEPARATOR splits them)', async () => {
  const p = tempProject({ 'one.yml': 'services:\n  a:\n    image: a\n', 'two.yml': 'services:\n  a:\n    image: b\n  c:\n    build: https://github.com/example/repo.git\n' });
  try {
    const { project, warnings } = await p.load({ environment: { COMPOSE_FILE: 'one.yml;two.yml', COMPOSE_PATH_SEPARATOR: ';' } });
    assert.equal(project.services.a?.image, 'b');
    assert.deepEqual(project.configFiles, [path.join(p.dir, 'one.yml'), path.join(p.dir, 'two.yml')]);
    assert.equal(project.services.c?.build?.context, 'https://github.com/example/repo.git');
    assert.ok(warnings.includes('services.c.build.context: the remote build context "https://github.com/example/repo.git" is not supported by Cove'), warnings.join('\n'));
  } finally {
    p.cleanup();
  }
});
