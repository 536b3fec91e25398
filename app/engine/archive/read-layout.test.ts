import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLayout } from './read-layout.js';
import { stageArchive } from './stage-archive.js';
import { EngineError } from '../errors.js';
import { packTar, writeDockerArchive, writeOciArchive } from '../../testing/image-fixtures.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'layout-test-'));
}

const layer = [{ name: 'hello.txt', content: 'hi\n' }];

test('an oci-archive lists its image with the containerd name annotation', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'img.tar');
    await writeOciArchive(file, { layers: [layer], references: ['docker.io/library/hello:1'], gzip: true });
    const staged = await stageArchive(file, dir);
    const images = await readLayout(staged.dir);
    assert.equal(images.length, 1);
    assert.deepEqual(images[0]?.references, ['docker.io/library/hello:1']);
    assert.equal(images[0]?.layers.length, 1);
    assert.match(images[0]?.layers[0]?.expectedDigest ?? '', /^sha256:[a-f0-9]{64}$/);
    assert.ok(images[0]?.manifest);
    await staged.dispose();
    assert.equal(fs.existsSync(staged.dir), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a docker-archive lists RepoTags normalised and checks config names', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'img.tar');
    await writeDockerArchive(file, { layers: [layer, layer], references: ['hello:latest', 'example.com/x/y:2'] });
    const staged = await stageArchive(file, dir);
    const [image] = await readLayout(staged.dir);
    assert.deepEqual(image?.references, ['docker.io/library/hello:latest', 'example.com/x/y:2']);
    assert.equal(image?.layers.length, 2);
    assert.match(image?.expectedConfigDigest ?? '', /^sha256:/);
    assert.equal(image?.manifest, null);
    await staged.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed archives give clear codes', async () => {
  const dir = tmp();
  try {
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['empty.tar', await packTar([{ name: 'readme', content: 'x' }]), 'E_ARCHIVE_INVALID', /neither manifest.json/],
      ['badjson.tar', await packTar([{ name: 'manifest.json', content: '{not json' }]), 'E_MANIFEST_INVALID', /not valid JSON/],
      ['shape.tar', await packTar([{ name: 'manifest.json', content: '[{"Config":"c.json","Layers":"x"}]' }]), 'E_MANIFEST_INVALID', /malformed/],
      ['badindex.tar', await packTar([{ name: 'index.json', content: '{"schemaVersion":2,"manifests":[{"digest":"sha256:zz","size":1}]}' }]), 'E_MANIFEST_INVALID', /sha256 digest/],
      ['escape.tar', await packTar([{ name: 'manifest.json', content: '[{"Config":"../../etc/passwd","Layers":[]}]' }]), 'E_LAYER_UNSAFE', /\.\./],
    ];
    for (const [name, data, code, re] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, data);
      const staged = await stageArchive(file, dir);
      await assert.rejects(readLayout(staged.dir), (err: unknown) => err instanceof EngineError && err.code === code && re.test(err.message), name);
      await staged.dispose();
    }
    fs.writeFileSync(path.join(dir, 'garbage.tar'), Buffer.alloc(1024, 7));
    await assert.rejects(stageArchive(path.join(dir, 'garbage.tar'), dir), (err: unknown) => err instanceof EngineError && err.code === 'E_ARCHIVE_INVALID');
    await assert.rejects(stageArchive(path.join(dir, 'missing.tar'), dir), (err: unknown) => err instanceof EngineError && err.code === 'E_INVALID_ARGUMENT');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('archive entries never land outside the staging directory', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'evil.tar');
    fs.writeFileSync(file, await packTar([{ name: '../../escaped.txt', content: 'x' }]));
    await assert.rejects(stageArchive(file, path.join(dir, 'stage')), (err: unknown) => err instanceof EngineError && err.code === 'E_LAYER_UNSAFE');
    assert.equal(fs.existsSync(path.join(dir, 'escaped.txt')), false);
    assert.equal(fs.existsSync(path.join(path.dirname(dir), 'escaped.txt')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
