import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { unpackLayer, type UnpackOptions } from './unpack-layer.js';
import { EngineError } from '../errors.js';
import { sha256Of } from '../digest.js';
import { nativeBinary } from '../install-paths.js';
import { packTar, type TarEntry } from '../../testing/image-fixtures.js';

const options: UnpackOptions = { chown: false, layerTool: nativeBinary('cove-layer-tool'), idLimit: 65536 };

/** A layer root inside a sandbox whose sibling "canary" directory must stay untouched. */
function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unpack-test-'));
  const root = path.join(dir, 'root');
  const canary = path.join(dir, 'canary');
  fs.mkdirSync(root);
  fs.mkdirSync(canary);
  fs.writeFileSync(path.join(canary, 'secret'), 'untouched');
  return {
    root,
    canary,
    canaryIntact: () => fs.readdirSync(canary).join(',') === 'secret' && fs.readFileSync(path.join(canary, 'secret'), 'utf8') === 'untouched',
    done: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function unpack(entries: TarEntry[], root: string, gzip = false) {
  const raw = await packTar(entries);
  const result = await unpackLayer(Readable.from([gzip ? zlib.gzipSync(raw) : raw]), root, options);
  return { raw, result };
}

test('files, dirs, symlinks and hardlinks unpack with modes, and the diff ID is the tar digest', async () => {
  const s = sandbox();
  try {
    const { raw, result } = await unpack(
      [
        { name: 'etc/', type: 'directory', mode: 0o750 },
        { name: 'etc/hello', content: 'hi\n', mode: 0o640 },
        { name: 'etc/link', type: 'symlink', linkname: '/etc/hello' },
        { name: 'etc/hard', type: 'link', linkname: 'etc/hello' },
        { name: 'bin/tool', content: 'x', mode: 0o4755 },
        { name: './implicit/dir/file', content: 'deep' },
      ],
      s.root,
      true,
    );
    assert.equal(result.diffId, sha256Of(raw));
    assert.equal(fs.readFileSync(path.join(s.root, 'etc/hello'), 'utf8'), 'hi\n');
    assert.equal(fs.statSync(path.join(s.root, 'etc')).mode & 0o7777, 0o750);
    assert.equal(fs.statSync(path.join(s.root, 'etc/hello')).mode & 0o7777, 0o640);
    assert.equal(fs.readlinkSync(path.join(s.root, 'etc/link')), '/etc/hello');
    assert.equal(fs.statSync(path.join(s.root, 'etc/hard')).ino, fs.statSync(path.join(s.root, 'etc/hello')).ino);
    assert.equal(fs.statSync(path.join(s.root, 'bin/tool')).mode & 0o7777, 0o4755, 'setuid bit kept');
    assert.equal(fs.readFileSync(path.join(s.root, 'implicit/dir/file'), 'utf8'), 'deep');
  } finally {
    s.done();
  }
});

test('whiteouts become 0/0 character devices; opaque markers are not left as files', async () => {
  const s = sandbox();
  try {
    await unpack([{ name: 'a/.wh.gone' }, { name: 'b/.wh..wh..opq' }, { name: 'b/new', content: 'n' }], s.root);
    const st = fs.lstatSync(path.join(s.root, 'a/gone'));
    assert.ok(st.isCharacterDevice(), 'whiteout is a char device');
    assert.equal(st.rdev, 0);
    assert.equal(fs.existsSync(path.join(s.root, 'b/.wh..wh..opq')), false);
    assert.equal(fs.existsSync(path.join(s.root, 'a/.wh.gone')), false);
  } finally {
    s.done();
  }
});

test('device nodes are skipped rootless and FIFOs are created', async () => {
  const s = sandbox();
  try {
    const { result } = await unpack([{ name: 'dev/null', type: 'character-device' }, { name: 'run/pipe', type: 'fifo', mode: 0o600 }], s.root);
    assert.equal(result.skippedDevices, 1);
    assert.equal(fs.existsSync(path.join(s.root, 'dev/null')), false);
    assert.ok(fs.lstatSync(path.join(s.root, 'run/pipe')).isFIFO());
  } finally {
    s.done();
  }
});

// Each hostile layer must be refused (E_LAYER_UNSAFE) or neutralised, and the canary next to the root stays intact.
const HOSTILE: Array<{ name: string; entries: TarEntry[]; refused: boolean }> = [
  { name: 'dot-dot file', entries: [{ name: '../canary/secret', content: 'pwned' }], refused: true },
  { name: 'dot-dot deep', entries: [{ name: 'a/b/../../../canary/x', content: 'pwned' }], refused: true },
  { name: 'absolute path', entries: [{ name: '/canary-abs', content: 'kept inside' }], refused: false },
  { name: 'symlink then write through it', entries: [{ name: 'esc', type: 'symlink', linkname: '../canary' }, { name: 'esc/secret', content: 'pwned' }], refused: true },
  { name: 'absolute symlink then write through it', entries: [{ name: 'esc', type: 'symlink', linkname: '/' }, { name: 'esc/tmp/x', content: 'pwned' }], refused: true },
  {
    name: 'symlink chain',
    entries: [{ name: 'l1', type: 'symlink', linkname: 'l2' }, { name: 'l2', type: 'symlink', linkname: '../canary' }, { name: 'l1/secret', content: 'pwned' }],
    refused: true,
  },
  { name: 'hardlink to outside', entries: [{ name: 'h', type: 'link', linkname: '../canary/secret' }], refused: true },
  { name: 'hardlink to absolute outside', entries: [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], refused: true },
  { name: 'hardlink through a symlink', entries: [{ name: 's', type: 'symlink', linkname: '../canary' }, { name: 'h', type: 'link', linkname: 's/secret' }], refused: true },
  { name: 'whiteout through a symlink', entries: [{ name: 's', type: 'symlink', linkname: '../canary' }, { name: 's/.wh.secret' }], refused: true },
  { name: 'whiteout of dot-dot', entries: [{ name: 'a/.wh...' }], refused: true },
  { name: 'file replaces symlink, never written through', entries: [{ name: 'f', type: 'symlink', linkname: '../canary/secret' }, { name: 'f', content: 'replaced' }], refused: false },
  { name: 'directory entry over a symlink', entries: [{ name: 'd', type: 'symlink', linkname: '../canary' }, { name: 'd/', type: 'directory' }, { name: 'd/new', content: 'inside' }], refused: false },
  { name: 'opaque marker through a symlink', entries: [{ name: 's', type: 'symlink', linkname: '../canary' }, { name: 's/.wh..wh..opq' }], refused: true },
  { name: 'hardlink to a symlink that points outside', entries: [{ name: 's', type: 'symlink', linkname: '../canary/secret' }, { name: 'h', type: 'link', linkname: 's' }, { name: 'h', content: 'pwned' }], refused: false },
  { name: 'absolute whiteout path through a symlink', entries: [{ name: 'x', type: 'symlink', linkname: '/' }, { name: '/x/.wh.canary' }], refused: true },
  { name: 'symlink chain ending absolute, then a directory entry through it', entries: [{ name: 'a', type: 'symlink', linkname: 'b' }, { name: 'b', type: 'symlink', linkname: '/tmp' }, { name: 'a/sub/', type: 'directory' }], refused: true },
];

for (const c of HOSTILE) {
  test(`hostile layer: ${c.name}`, async () => {
    const s = sandbox();
    try {
      if (c.refused) {
        await assert.rejects(unpack(c.entries, s.root), (err: unknown) => err instanceof EngineError && err.code === 'E_LAYER_UNSAFE' && /refused layer entry/.test(err.message));
      } else {
        await unpack(c.entries, s.root);
      }
      assert.ok(s.canaryIntact(), 'the canary outside the root is untouched');
      assert.equal(fs.existsSync(path.join(path.dirname(s.root), 'canary-abs')), false);
    } finally {
      s.done();
    }
  });
}

test('ids beyond the mapped range are refused with a fix', async () => {
  const s = sandbox();
  try {
    const raw = await packTar([{ name: 'f', content: 'x', uid: 70000 }]);
    await assert.rejects(
      unpackLayer(Readable.from([raw]), s.root, { ...options, chown: true, idLimit: 65537 }),
      (err: unknown) => err instanceof EngineError && err.code === 'E_NO_SUBUID' && /\/etc\/subuid/.test(err.message),
    );
  } finally {
    s.done();
  }
});

test('zstd layers unpack and hash like gzip ones, hostile entries in them are refused too', async () => {
  const { execFileSync } = await import('node:child_process');
  const s = sandbox();
  try {
    const raw = await packTar([{ name: 'z/file', content: 'zstd!\n' }, { name: 'z/link', type: 'symlink', linkname: 'file' }]);
    const z = execFileSync('zstd', ['-q', '-c'], { input: raw });
    const result = await unpackLayer(Readable.from([z]), s.root, options);
    assert.equal(result.diffId, sha256Of(raw));
    assert.equal(fs.readFileSync(path.join(s.root, 'z/file'), 'utf8'), 'zstd!\n');
    const evil = execFileSync('zstd', ['-q', '-c'], { input: await packTar([{ name: '../canary/secret', content: 'pwned' }]) });
    const s2 = sandbox();
    try {
      await assert.rejects(unpackLayer(Readable.from([evil]), s2.root, options), (err: unknown) => err instanceof EngineError && err.code === 'E_LAYER_UNSAFE');
      assert.ok(s2.canaryIntact());
    } finally {
      s2.done();
    }
    const s3 = sandbox();
    try {
      await assert.rejects(unpackLayer(Readable.from([z.subarray(0, z.length - 4)]), s3.root, options), (err: unknown) => err instanceof EngineError && err.code === 'E_ARCHIVE_INVALID');
    } finally {
      s3.done();
    }
  } finally {
    s.done();
  }
});

test('verifyLayer agrees with a fresh unpack and names what was changed or added', async () => {
  const { verifyLayer } = await import('./verify-layer.js');
  const s = sandbox();
  try {
    const entries: TarEntry[] = [
      { name: 'etc/', type: 'directory', mode: 0o750 },
      { name: 'etc/hello', content: 'hi\n', mode: 0o640 },
      { name: 'etc/hard', type: 'link', linkname: 'etc/hello' },
      { name: 'etc/link', type: 'symlink', linkname: 'hello' },
      { name: 'gone/.wh.x' },
      { name: 'dev/null', type: 'character-device' },
    ];
    const raw = await packTar(entries);
    await unpackLayer(Readable.from([raw]), s.root, options);
    const ok = await verifyLayer(Readable.from([zlib.gzipSync(raw)]), s.root, { chown: false });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.diffId, sha256Of(raw));
    fs.writeFileSync(path.join(s.root, 'etc/hello'), 'HI\n');
    fs.writeFileSync(path.join(s.root, 'extra'), 'added');
    fs.rmSync(path.join(s.root, 'etc/link'));
    const bad = await verifyLayer(Readable.from([raw]), s.root, { chown: false });
    assert.deepEqual(bad.problems.sort(), ['etc/hard: content differs from the layer', 'etc/hello: content differs from the layer', 'etc/link: missing', 'extra: on disk but not in the layer']);
  } finally {
    s.done();
  }
});
