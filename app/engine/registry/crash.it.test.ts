// Crash consistency: the pulling CLI is killed with SIGKILL at several
// points (resolving, downloading, after some layers committed, near the
// end). Every time `cove system check` must find the store consistent, and
// in the end a pull completes and the image runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { startRegistry, type TestRegistry } from '../../testing/registry-server.js';
import { startFaultProxy, type FaultProxy } from '../../testing/registry-proxy.js';
import { buildImage, uploadImage } from '../../testing/registry-images.js';
import { createRegistrySandbox, type RegistrySandbox } from '../../testing/registry-sandbox.js';
import { busyboxRootfsEntries } from '../../testing/image-fixtures.js';
import { eventually } from '../../testing/harness.js';

let reg: TestRegistry;
let proxy: FaultProxy;
let sb: RegistrySandbox;
let ref: string;

before(async () => {
  assert.notEqual(process.getuid?.(), 0, 'rootless suites run as a non-root user');
  reg = await startRegistry();
  proxy = await startFaultProxy(reg.url);
  sb = await createRegistrySandbox('cove-crash-it-');
  const img = await buildImage({
    layers: [
      await busyboxRootfsEntries(),
      [{ name: 'a.bin', content: crypto.randomBytes(1_200_000) }],
      [{ name: 'b.bin', content: crypto.randomBytes(1_200_000) }],
      [{ name: 'c/', type: 'directory' }, ...Array.from({ length: 200 }, (_, i) => ({ name: `c/f${i}`, content: `file ${i}\n` }))],
    ],
    label: 'crash',
  });
  await uploadImage(reg, 'test/crash', 'v1', img);
  ref = `${proxy.host}/test/crash:v1`;
});

after(async () => {
  await sb?.cleanup();
  await proxy?.close();
  await reg?.stop();
});

/** Orphaned unpack workers see EOF when the CLI dies; wait until they are gone. */
async function workersGone(): Promise<void> {
  await eventually(
    () =>
      !fs.readdirSync('/proc').some((pid) => {
        if (!/^\d+$/.test(pid)) return false;
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(sb.home);
        } catch {
          return false;
        }
      }),
    10_000,
    'orphaned workers to exit',
  );
}

async function checkConsistent(when: string): Promise<string> {
  const r = await sb.cove(['system', 'check']);
  assert.equal(r.code, 0, `${when}: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /The store is consistent/, when);
  assert.doesNotMatch(r.stdout, /PROBLEM/, when);
  return r.stdout;
}

/** Starts a throttled pull and SIGKILLs it when `trigger` says so. */
async function killDuring(trigger: (stderr: string, elapsedMs: number) => boolean, what: string): Promise<void> {
  proxy.reset();
  proxy.rules.push({ method: 'GET', path: /\/blobs\/sha256:/, fault: { kind: 'slow', bytesPerSecond: 1_500_000 }, times: Infinity });
  const started = Date.now();
  const child = sb.spawnCove(['pull', ref]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  let exited = false;
  void closed.then(() => (exited = true));
  await eventually(() => exited || trigger(stderr, Date.now() - started), 20_000, `kill point: ${what}`);
  child.kill('SIGKILL');
  await closed;
  await workersGone();
  await checkConsistent(`after SIGKILL ${what}`);
}

test('SIGKILL at several points of a pull never leaves an inconsistent store; the next pull completes', async () => {
  const points: Array<[string, (s: string, t: number) => boolean]> = [
    ['while resolving the manifest', (_s, t) => t > 80],
    ['as the first layer starts downloading', (s) => /Downloading/.test(s)],
    ['mid-download', (s) => /Downloading [\d.]+[kM]B\//.test(s)],
    ['after the first layer is complete', (s) => /Pull complete/.test(s)],
    ['after most layers are complete', (s) => (s.match(/Pull complete|Already exists/g) ?? []).length >= 3],
  ];
  for (const [what, trigger] of points) {
    await killDuring(trigger, what);
    // Start the next round from an empty store, which also proves repair clears the debris.
    const repaired = await sb.cove(['system', 'check', '--repair']);
    assert.equal(repaired.code, 0, repaired.stdout);
    const clean = await checkConsistent(`after repair (${what})`);
    assert.doesNotMatch(clean, /leftover/, `repair left nothing behind (${what})`);
  }
  // Killed again with partial work kept: the next pull reuses it and completes.
  await killDuring((s) => /Pull complete/.test(s), 'before the resumed pull');
  proxy.reset();
  const r = await sb.cove(['pull', ref]);
  assert.equal(r.code, 0, r.stderr);
  const run = await sb.cove(['run', '--rm', ref, 'cat', '/c/f199']);
  assert.equal(run.stdout, 'file 199\n', run.stderr);
  const final = await checkConsistent('after the completed pull');
  assert.doesNotMatch(final, /PROBLEM/);
});
