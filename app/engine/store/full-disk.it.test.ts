// A full filesystem is E_NO_SPACE with the path (load, state writes), never
// E_INTERNAL/EPIPE/E_ARCHIVE_INVALID; nothing half-written stays; `stop`
// still stops the container and its exit code is kept. Runs on a small
// tmpfs that the root test setup mounts for the test user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { createSandbox, fixtures, type CoveSandbox } from '../../testing/harness.js';
import { startRegistry } from '../../testing/registry-server.js';
import { buildImage, uploadImage } from '../../testing/registry-images.js';
import { currentIdMappings } from '../idmap.js';
import { removeAsMappedRoot } from '../userns.js';

const small = process.env.COVE_TEST_SMALL_FS;
// Only root can mount a filesystem small enough to fill; scripts/test.mjs does it when it runs as root.
const skip = small ? false : 'no small filesystem to fill (COVE_TEST_SMALL_FS, set up by npm test as root)';

let sb: CoveSandbox;
let filler: string;
before(async () => {
  if (!small) return;
  sb = await createSandbox();
  // The store on the small filesystem: point the sandbox's CLI at it.
  sb.home = fs.mkdtempSync(path.join(small, 'home-'));
  sb.env.COVE_HOME = sb.home;
  filler = path.join(small, 'filler');
});
after(async () => {
  if (!small) return;
  fs.rmSync(filler, { force: true });
  await sb?.cleanup();
  await removeAsMappedRoot(currentIdMappings(), [sb.home]).catch(() => undefined);
  fs.rmSync(sb.home, { recursive: true, force: true });
});

/** Fills the filesystem to the last byte, then gives `free` bytes back. */
function fill(free: number): void {
  const fd = fs.openSync(filler, 'a');
  const big = Buffer.alloc(1024 * 1024, 0x55);
  const small4k = Buffer.alloc(4096, 0x55);
  try {
    for (const chunk of [big, small4k]) {
      for (;;) {
        try {
          fs.writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
    if (free > 0) fs.ftruncateSync(fd, Math.max(0, fs.fstatSync(fd).size - free));
  } finally {
    fs.closeSync(fd);
  }
}

function unfill(): void {
  fs.rmSync(filler, { force: true });
}

function duBytes(dir: string): number {
  return Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]);
}

function assertNoSpace(r: { code: number; stderr: string }, what: string): void {
  assert.equal(r.code, 125, `${what}: ${r.stderr}`);
  assert.match(r.stderr, /\[E_NO_SPACE\]/, what);
  assert.ok(r.stderr.includes(small as string), `${what} names a path on the full filesystem: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /E_INTERNAL|EPIPE|E_ARCHIVE_INVALID/, what);
}

test('load on a full filesystem: E_NO_SPACE with the path at each step, nothing left behind', { skip }, async () => {
  const fx = await fixtures();
  // From a directory (no staging copy) and from an archive (staged first): blobs, then the unpack, run out.
  const layout = fs.mkdtempSync(path.join(path.dirname(fx.busyboxOci), 'layout-'));
  try {
    assert.equal(spawnSync('tar', ['xf', fx.busyboxOci, '-C', layout]).status, 0);
    const blobs = duBytes(path.join(layout, 'blobs'));
    for (const [what, input, free] of [
      ['archive, staging', fx.busyboxDocker, 64 * 1024],
      ['layout, blobs', layout, 64 * 1024],
      ['layout, unpack', layout, blobs + 256 * 1024],
    ] as const) {
      fill(free);
      try {
        assertNoSpace(await sb.cove(['load', '-q', '-i', input]), what);
      } finally {
        unfill();
      }
      const images = await sb.cove(['images', '-q']);
      assert.equal(images.stdout.trim(), '', `${what}: no image half-loaded`);
      const check = await sb.cove(['system', 'check']);
      assert.equal(check.code, 0, `${what}: ${check.stdout}${check.stderr}`);
      assert.doesNotMatch(check.stdout, /problem/, `${what}: ${check.stdout}`);
    }
    // With room again, it loads.
    assert.equal((await sb.cove(['load', '-q', '-i', fx.busyboxDocker])).code, 0);
  } finally {
    fs.rmSync(layout, { recursive: true, force: true });
  }
});

test('state writes on a full filesystem: E_NO_SPACE, the record intact; stop still stops and keeps the exit code', { skip }, async () => {
  const r = await sb.cove(['run', '-d', '--network', 'none', '--name', 'full', 'busybox', 'sh', '-c', "trap 'exit 7' TERM; while :; do sleep 0.1; done"]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const record = path.join(sb.home, 'containers', id, 'container.json');
  fill(0);
  try {
    assertNoSpace(await sb.cove(['rename', 'full', 'renamed']), 'rename');
    assert.equal((JSON.parse(fs.readFileSync(record, 'utf8')) as { name: string }).name, 'full', 'the record is intact');
    assertNoSpace(await sb.cove(['create', 'busybox', 'true']), 'create');
    assert.deepEqual(fs.readdirSync(path.join(sb.home, 'containers')).filter((n) => /^[a-f0-9]{64}$/.test(n)), [id], 'no half-made container');
    const stop = await sb.cove(['stop', '-t', '5', 'full']);
    assert.equal(stop.code, 0, stop.stderr);
    const [info] = JSON.parse((await sb.cove(['inspect', 'full'])).stdout) as Array<{ State: { Status: string; ExitCode: number } }>;
    assert.equal(info?.State.Status, 'exited');
    assert.equal(info?.State.ExitCode, 7, 'the exit code was kept');
  } finally {
    unfill();
  }
  assert.equal((await sb.cove(['rm', 'full'])).code, 0);
});

test('pull on a full filesystem: E_NO_SPACE with the path, nothing half-stored', { skip }, async () => {
  const reg = await startRegistry();
  try {
    // Incompressible content the store does not have yet, so the pull must write it.
    const image = await buildImage({ layers: [[{ name: 'data/blob', content: crypto.randomBytes(3 * 1024 * 1024) }]], cmd: ['true'] });
    await uploadImage(reg, 'test/full', '1', image);
    const before = (await sb.cove(['images', '-q'])).stdout;
    for (const free of [64 * 1024, 3 * 1024 * 1024 + 512 * 1024]) {
      fill(free);
      try {
        assertNoSpace(await sb.cove(['pull', `${reg.host}/test/full:1`]), `pull with ${free} bytes free`);
      } finally {
        unfill();
      }
      assert.equal((await sb.cove(['images', '-q'])).stdout, before, 'no image half-pulled');
      const check = await sb.cove(['system', 'check']);
      assert.equal(check.code, 0, check.stdout + check.stderr);
      assert.doesNotMatch(check.stdout, /problem/, check.stdout);
    }
    assert.equal((await sb.cove(['pull', `${reg.host}/test/full:1`])).code, 0, 'with room again, it pulls');
  } finally {
    await reg.stop();
  }
});
