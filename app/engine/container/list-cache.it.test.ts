// The list of a long-lived engine comes from memory (container-list-cache.ts):
// whatever another process does to the store, the next list shows it, the
// same as a list read from the files by a fresh engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerSummary } from '../../api/contract.js';
import { busyboxSandbox, eventually, okRunner, type CoveSandbox } from '../../testing/harness.js';
import { Engine } from '../engine.js';

let sb: CoveSandbox;
let engine: Engine;
let fresh: Engine;
before(async () => {
  sb = await busyboxSandbox('cove-it-list-cache-');
  engine = await Engine.open({ home: sb.home, watch: true });
  fresh = await Engine.open({ home: sb.home });
});
after(async () => {
  await engine?.close();
  await fresh?.close();
  await sb?.cleanup();
});

const cove = okRunner(() => sb);

/** What a list says of each container, but the status text (its "Up 2 seconds" moves with the clock). */
function view(list: ContainerSummary[]): unknown[] {
  return list.map(({ status: _status, ...rest }) => rest);
}

/** The long-lived engine's list, checked against what the files say now. */
async function listed(): Promise<ContainerSummary[]> {
  const kept = await engine.handle('containers:list', { all: true });
  const read = await fresh.handle('containers:list', { all: true });
  assert.deepEqual(view(kept), view(read), 'the kept list is the list the files give');
  return kept;
}

const find = (list: ContainerSummary[], id: string): ContainerSummary | undefined => list.find((c) => c.id === id);

test('the cache is in use: a long-lived engine answers from memory, the CLI engine reads the files', async () => {
  await listed();
  assert.ok(Array.isArray(await engine.containers.records.listCache.summaries()));
  assert.equal(await fresh.containers.records.listCache.summaries(), undefined);
});

test('create, start, pause, stop, rename and remove by another process (the CLI) show in the very next list', async () => {
  const id = (await cove(['create', '--network', 'none', '--name', 'lc-one', 'busybox', 'sleep', '600'])).trim();
  assert.equal(find(await listed(), id)?.state, 'created');
  await cove(['start', id]);
  const running = find(await listed(), id);
  assert.equal(running?.state, 'running');
  assert.ok(running?.pid);
  await cove(['pause', id]);
  assert.equal(find(await listed(), id)?.state, 'paused');
  await cove(['unpause', id]);
  assert.equal(find(await listed(), id)?.state, 'running');
  await cove(['rename', id, 'lc-renamed']);
  assert.equal(find(await listed(), id)?.name, 'lc-renamed');
  await cove(['stop', '-t', '1', id]);
  const stopped = find(await listed(), id);
  assert.equal(stopped?.state, 'exited');
  assert.equal(stopped?.pid, null);
  await cove(['start', id]);
  assert.equal(find(await listed(), id)?.state, 'running');
  await cove(['rm', '-f', id]);
  assert.equal(find(await listed(), id), undefined);
});

test('a container that exits by itself is listed as exited as soon as its monitor wrote the exit', async () => {
  const id = (await cove(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'sleep 0.3; exit 3'])).trim();
  assert.equal(find(await engine.handle('containers:list', { all: true }), id)?.state, 'running');
  const exitFile = path.join(sb.home, 'containers', id, 'exit.json');
  await eventually(() => fs.existsSync(exitFile), 10_000, 'the exit written');
  const exited = find(await listed(), id);
  assert.equal(exited?.state, 'exited');
  assert.equal(exited?.exitCode, 3);
  await cove(['rm', id]);
});

test('a change written to the store directly, then a list at once: never the list from before (30 rounds)', async () => {
  const id = (await cove(['create', '--network', 'none', '--name', 'lc-direct', 'busybox', 'true'])).trim();
  const record = path.join(sb.home, 'containers', id, 'container.json');
  await listed();
  for (let i = 0; i < 30; i++) {
    // As writeJsonAtomic does it (a temporary file renamed over the record), synchronously, with no turn of the event loop before the list.
    const rec = JSON.parse(fs.readFileSync(record, 'utf8')) as { name: string };
    rec.name = `lc-direct-${i}`;
    fs.writeFileSync(`${record}.tmp`, JSON.stringify(rec));
    fs.renameSync(`${record}.tmp`, record);
    const list = await engine.handle('containers:list', { all: true });
    assert.equal(find(list, id)?.name, `lc-direct-${i}`, `round ${i}`);
  }
  // And a container directory that goes away (as `rm` leaves it: the record first).
  fs.rmSync(record);
  assert.equal(find(await engine.handle('containers:list', { all: true }), id), undefined);
  fs.rmSync(path.dirname(record), { recursive: true, force: true });
  await listed();
});

test('a running container whose monitor and process were killed (nothing written) is listed as exited', async () => {
  const id = (await cove(['run', '-d', '--network', 'none', '--name', 'lc-killed', 'busybox', 'sleep', '600'])).trim();
  const pid = find(await listed(), id)?.pid;
  assert.ok(pid);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const monitor = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  process.kill(monitor, 'SIGKILL');
  process.kill(pid, 'SIGKILL');
  // The kill is done when the process is gone from /proc; the list must say so without any file having changed.
  await eventually(() => !fs.existsSync(`/proc/${pid}`), 10_000, 'the process gone');
  const dead = find(await engine.handle('containers:list', { all: true }), id);
  assert.equal(dead?.state, 'exited');
  assert.equal(dead?.exitCode, -1);
  await listed();
  await cove(['rm', '-f', id]);
});

test('lists taken while other processes create, start, stop and remove containers end equal to the files', async () => {
  let listing = true;
  let lists = 0;
  const lister = (async () => {
    while (listing) {
      await engine.handle('containers:list', { all: true });
      lists++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const churn = async (n: number): Promise<string> => {
    const id = (await cove(['run', '-d', '--network', 'none', '--name', `lc-churn-${n}`, 'busybox', 'sleep', '600'])).trim();
    await cove(['stop', '-t', '0', id]);
    await cove(['start', id]);
    if (n % 2 === 0) await cove(['rm', '-f', id]);
    return id;
  };
  const ids = await Promise.all([0, 1, 2, 3].map(churn));
  listing = false;
  await lister;
  assert.ok(lists > 5, `the engine listed while they changed (${lists} lists)`);
  const list = await listed();
  assert.equal(ids.filter((id) => find(list, id)?.state === 'running').length, 2);
  assert.equal(ids.filter((id) => find(list, id) === undefined).length, 2);
  for (const [n, id] of ids.entries()) if (n % 2 === 1) await cove(['rm', '-f', id]);
});

test('a long-lived engine finds a container by name or ID prefix as the files say at that moment', async () => {
  const id = (await cove(['create', '--network', 'none', '--name', 'lc-find', 'busybox', 'true'])).trim();
  const inspectName = async (q: string): Promise<string> => (await engine.handle('containers:inspect', { id: q })).Name;
  assert.equal(await inspectName('lc-find'), '/lc-find');
  assert.equal(await inspectName(id.slice(0, 12)), '/lc-find');
  // Renamed by a plain write of the record, then looked up at once by both names.
  const record = path.join(sb.home, 'containers', id, 'container.json');
  const rec = JSON.parse(fs.readFileSync(record, 'utf8')) as { name: string };
  rec.name = 'lc-found';
  fs.writeFileSync(`${record}.tmp`, JSON.stringify(rec));
  fs.renameSync(`${record}.tmp`, record);
  assert.equal(await inspectName('lc-found'), '/lc-found');
  await assert.rejects(engine.handle('containers:inspect', { id: 'lc-find' }), /no container named or with ID lc-find/);
  await cove(['rm', id]);
  await assert.rejects(engine.handle('containers:inspect', { id: 'lc-found' }), /no container named or with ID lc-found/);
});

test('a chmod of the containers directory (an event of the directory itself) leaves the cache in use', async () => {
  const dir = path.join(sb.home, 'containers');
  fs.chmodSync(dir, fs.statSync(dir).mode & 0o7777);
  await listed();
  assert.ok(Array.isArray(await engine.containers.records.listCache.summaries()), 'still kept: the directory is the one watched');
});
