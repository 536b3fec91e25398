// GNU/PAX sparse files round-trip through the layer unpacker with their
// real content (or are refused, never silently changed), and decompression
// bombs stop at the caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { unpackLayer, type UnpackOptions } from './unpack-layer.js';
import { DEFAULT_LAYER_LIMITS, layerLimitsFromEnv } from './layer-limits.js';
import { EngineError } from '../errors.js';
import { nativeBinary } from '../install-paths.js';

const options: UnpackOptions = { chown: false, layerTool: nativeBinary('cove-layer-tool'), idLimit: 65536 };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sparse-test-'));
}

/** A 6 MiB sparse file with data at three places, one of them unaligned and one at the very end. */
function makeSparse(dir: string): { file: string; content: Buffer } {
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, 'deep', 'er'), { recursive: true });
  const file = path.join(src, 'deep', 'er', 'disk.img');
  const size = 6 * 1024 * 1024;
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, size);
  const blocks: Array<[number, Buffer]> = [
    [0, crypto.randomBytes(5000)],
    [1024 * 1024 + 123, crypto.randomBytes(70_000)],
    [size - 10, Buffer.from('0123456789')],
  ];
  for (const [at, data] of blocks) fs.writeSync(fd, data, 0, data.length, at);
  fs.closeSync(fd);
  return { file, content: fs.readFileSync(file) };
}

function gnuTar(dir: string, args: string[]): Buffer {
  const out = path.join(dir, `layer-${crypto.randomBytes(3).toString('hex')}.tar`);
  const r = spawnSync('tar', ['--sparse', ...args, '-cf', out, '-C', path.join(dir, 'src'), 'deep'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return fs.readFileSync(out);
}

for (const version of ['1.0', '0.1']) {
  test(`PAX sparse format ${version} unpacks to the same bytes, with holes left as holes`, async () => {
    const dir = tempDir();
    try {
      const { content } = makeSparse(dir);
      const tarball = gnuTar(dir, ['--format=posix', `--sparse-version=${version}`]);
      assert.ok(tarball.length < content.length / 4, 'the archive really is sparse');
      const root = path.join(dir, 'root');
      fs.mkdirSync(root);
      await unpackLayer(Readable.from([zlib.gzipSync(tarball)]), root, options);
      const out = path.join(root, 'deep', 'er', 'disk.img');
      assert.ok(fs.readFileSync(out).equals(content), 'same bytes as the original');
      assert.ok(fs.statSync(out).blocks * 512 < content.length / 2, 'the holes were not written out');
      assert.deepEqual(fs.readdirSync(root), ['deep'], 'no GNUSparseFile.* stand-in directory');
      // cove system check reads sparse entries the same way.
      const { verifyLayer } = await import('./verify-layer.js');
      assert.deepEqual((await verifyLayer(Readable.from([tarball]), root, { chown: false })).problems, []);
      fs.writeFileSync(out, content.subarray(0, content.length - 1));
      assert.deepEqual((await verifyLayer(Readable.from([tarball]), root, { chown: false })).problems, [`deep/er/disk.img: ${content.length - 1} bytes, expected ${content.length}`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const [label, args] of [
  ['GNU old-format (type S)', ['--format=gnu']],
  ['PAX format 0.0', ['--format=posix', '--sparse-version=0.0']],
] as const) {
  test(`${label} sparse files are refused with a clear error, nothing half-written`, async () => {
    const dir = tempDir();
    try {
      makeSparse(dir);
      const root = path.join(dir, 'root');
      fs.mkdirSync(root);
      await assert.rejects(unpackLayer(Readable.from([gnuTar(dir, [...args])]), root, options), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.code, 'E_ARCHIVE_INVALID');
        assert.match(err.message, /disk\.img.*(sparse|unsupported tar type)/);
        return true;
      });
      assert.equal(fs.existsSync(path.join(root, 'deep', 'er', 'disk.img')), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** A tar holding one file of `size` zeros, gzipped as it streams: a few hundred kilobytes for hundreds of megabytes. */
function zeroBomb(size: number): Readable {
  const header = Buffer.alloc(512);
  header.write('bomb', 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(size.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const zeros = Buffer.alloc(1024 * 1024);
  let left = size;
  const raw = Readable.from(
    (function* () {
      yield header;
      while (left > 0) {
        const n = Math.min(left, zeros.length);
        left -= n;
        yield zeros.subarray(0, n);
      }
      yield Buffer.alloc(1024 + ((512 - (size % 512)) % 512));
    })(),
  );
  return raw.pipe(zlib.createGzip({ level: 1 }));
}

test('a gzip bomb is stopped by the ratio cap with E_LAYER_TOO_LARGE', async () => {
  const dir = tempDir();
  try {
    const root = path.join(dir, 'root');
    fs.mkdirSync(root);
    const t0 = Date.now();
    await assert.rejects(unpackLayer(zeroBomb(DEFAULT_LAYER_LIMITS.ratioFloor + 64 * 1024 * 1024), root, options), (err: unknown) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.code, 'E_LAYER_TOO_LARGE');
      assert.match(err.message, /decompression bomb/);
      return true;
    });
    assert.ok(Date.now() - t0 < 60_000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the size cap stops a layer (and a sparse file claiming more) past COVE_MAX_LAYER_BYTES', async () => {
  const dir = tempDir();
  try {
    const root = path.join(dir, 'root');
    fs.mkdirSync(root);
    const limits = layerLimitsFromEnv({ COVE_MAX_LAYER_BYTES: String(4 * 1024 * 1024) });
    assert.equal(limits.maxBytes, 4 * 1024 * 1024);
    await assert.rejects(unpackLayer(zeroBomb(8 * 1024 * 1024), root, { ...options, limits }), (err: unknown) => err instanceof EngineError && err.code === 'E_LAYER_TOO_LARGE');
    makeSparse(dir);
    const sparse = gnuTar(dir, ['--format=posix', '--sparse-version=1.0']);
    const root2 = path.join(dir, 'root2');
    fs.mkdirSync(root2);
    await assert.rejects(unpackLayer(Readable.from([sparse]), root2, { ...options, limits }), (err: unknown) => err instanceof EngineError && err.code === 'E_LAYER_TOO_LARGE' && /claims/.test(err.message));
    assert.throws(() => layerLimitsFromEnv({ COVE_MAX_LAYER_RATIO: 'lots' }), (err: unknown) => err instanceof EngineError && err.code === 'E_INVALID_ARGUMENT');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
