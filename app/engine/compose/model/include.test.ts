import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempProject } from './test-project.js';

test('include: each entry a project of its own (paths, .env), its resources usable by the including file; the including environment wins', async () => {
  const p = tempProject({
    'compose.yaml': [
      'include:',
      '  - ../commons/compose.yaml',
      '  - path: [../db/compose.yaml, ../db/override.yaml]',
      '    env_file: ../db/db.env',
      'services:',
      '  web:',
      '    image: web',
      '    depends_on: [cache, db]',
      '    volumes: ["dbdata:/x"]',
      '',
    ].join('\n'),
    '../commons/compose.yaml': 'services:\n  cache:\n    build: ./cache\n    image: "cache:${CACHE_TAG}"\n',
    '../commons/.env': 'CACHE_TAG=fromcommons\n',
    '../db/compose.yaml': 'services:\n  db:\n    image: "db:${DB_TAG}"\n    volumes: ["dbdata:/var/lib/db", "./init:/init"]\nvolumes:\n  dbdata: {}\n',
    '../db/override.yaml': 'services:\n  db:\n    environment: { MODE: replica }\n',
    '../db/db.env': 'DB_TAG=fromenvfile\n',
  });
  try {
    const { project } = await p.load({ environment: { DB_TAG: 'fromcaller' } });
    const root = path.dirname(p.dir);
    assert.deepEqual(Object.keys(project.services).sort(), ['cache', 'db', 'web']);
    assert.equal(project.services.cache?.image, 'cache:fromcommons');
    assert.equal(project.services.cache?.build?.context, path.join(root, 'commons', 'cache'));
    assert.equal(project.services.db?.image, 'db:fromcaller', 'the including environment wins over the included env_file');
    assert.deepEqual(project.services.db?.environment, { MODE: 'replica' });
    assert.equal(project.services.db?.volumes[1]?.source, path.join(root, 'db', 'init'));
    assert.equal(project.volumes.dbdata?.name, 'proj_dbdata');
  } finally {
    p.cleanup();
  }
});

test('include: a resource defined differently on both sides is an error, and so is a cycle', async () => {
  const p = tempProject({
    'compose.yaml': 'include: [other.yaml]\nservices:\n  web:\n    image: mine\n',
    'other.yaml': 'services:\n  web:\n    image: theirs\n',
  });
  try {
    assert.match(await p.error(), /compose\.yaml:1:11: .*other\.yaml defines service "web", which .*compose\.yaml also defines/);
  } finally {
    p.cleanup();
  }
  const q = tempProject({ 'compose.yaml': 'include: [a.yaml]\nservices: {}\n', 'a.yaml': 'include: [compose.yaml]\nservices: {}\n' });
  try {
    assert.match(await q.error(), /include cycle: .*compose\.yaml -> .*a\.yaml -> .*compose\.yaml/);
  } finally {
    q.cleanup();
  }
});
