import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary, ImageSummary, VolumeSummary } from '../api/contract.js';
import { renderList, renderOne, tabwrite } from './template-output.js';
import { imageRows, IMAGES_FORMAT, psRow, PS_FORMAT, splitReference } from './list-rows.js';
import { imageFilter, imageIdsMatching, parseFilters, psFilter, PS_FILTERS, IMAGE_FILTERS, VOLUME_FILTERS, volumeFilter } from './list-filters.js';
import { UsageError } from './args.js';

const c = (over: Partial<ContainerSummary>): ContainerSummary => ({
  id: 'a'.repeat(64),
  name: 'web',
  image: 'busybox',
  imageId: 'sha256:' + 'b'.repeat(64),
  command: ['sh', '-c', 'while true; do sleep 1; done'],
  state: 'running',
  status: 'Up 2 minutes',
  exitCode: null,
  pid: 10,
  createdAt: '2026-01-02T03:04:05.000Z',
  startedAt: null,
  finishedAt: null,
  ports: [{ protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80 }],
  labels: { tier: 'front', 'com.example.app': 'shop' },
  ...over,
});

test('tabwriter pads like Go text/tabwriter(minwidth 10, padding 3) and leaves the last cell alone', () => {
  assert.equal(tabwrite('A\tBB\tC\nlonger-cell\tx\tyy\n'), 'A             BB        C\nlonger-cell   x         yy\n');
});

test('ps default table has docker headers and columns', () => {
  const out = renderList(undefined, PS_FORMAT, [psRow(c({}), { noTrunc: false })]);
  const [header, row] = out.split('\n');
  assert.match(header as string, /^CONTAINER ID {3}IMAGE {5}COMMAND {18}CREATED\s+STATUS\s+PORTS\s+NAMES$/);
  assert.match(row as string, /^aaaaaaaaaaaa {3}busybox {3}"sh -c while true; d…" {3}.* ago\s+Up 2 minutes\s+0\.0\.0\.0:8080->80\/tcp {3}web$/);
});

test('ps fields as docker names them; Label is a method; json is sorted and drops methods', () => {
  const row = psRow(c({}), { noTrunc: true, extras: { mounts: ['data'], networks: ['slirp4netns'] } });
  assert.equal(renderList('{{.ID}} {{.Names}} {{.State}} {{.Label "tier"}} {{.Labels}} {{.Mounts}} {{.Networks}} {{.CreatedAt}}', PS_FORMAT, [row]), `${'a'.repeat(64)} web running front com.example.app=shop,tier=front data slirp4netns 2026-01-02 03:04:05 +0000 UTC\n`);
  const json = JSON.parse(renderList('{{json .}}', PS_FORMAT, [row])) as Record<string, string>;
  assert.deepEqual(Object.keys(json), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
  assert.equal(renderList('json', PS_FORMAT, [row]), renderList('{{json .}}', PS_FORMAT, [row]));
  assert.equal(renderList('table {{.Names}}\\t{{.Label "tier"}}', PS_FORMAT, [row]), 'NAMES     LABEL\nweb       front\n');
});

test('an unknown field is an error naming it', () => {
  assert.throws(() => renderList('{{.Nope}}', PS_FORMAT, [psRow(c({}), { noTrunc: false })]), (e: unknown) => e instanceof UsageError && /can't evaluate field Nope/.test(e.message));
  assert.throws(() => renderList('{{.Names', PS_FORMAT, []), /template parsing error/);
});

test('images rows: one per tag, <none> for dangling, docker field names', () => {
  const img: ImageSummary = { id: 'sha256:' + 'c'.repeat(64), references: ['busybox:latest', 'localhost:5000/app:1'], size: 4_261_000, createdAt: '2026-01-01T00:00:00Z', layers: 1 };
  const rows = imageRows(img, { noTrunc: false });
  assert.equal(renderList('{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}', IMAGES_FORMAT, rows), 'busybox:latest cccccccccccc 4.26MB\nlocalhost:5000/app:1 cccccccccccc 4.26MB\n');
  assert.equal(renderList('{{.Repository}}:{{.Tag}}', IMAGES_FORMAT, imageRows({ ...img, references: [] }, { noTrunc: false })), '<none>:<none>\n');
  assert.deepEqual(splitReference('localhost:5000/app'), ['localhost:5000/app', '<none>']);
});

test('inspect -f: one template output per object', () => {
  assert.equal(renderOne('{{.State.Status}}', { State: { Status: 'exited' } }), 'exited\n');
  assert.equal(renderOne('{{json .Config.Labels}}', { Config: { Labels: { a: 'b' } } }), '{"a":"b"}\n');
});

test('ps filters: status, name, label (AND), id, exited, ancestor', () => {
  const list = [
    c({ id: '1'.repeat(64), name: 'web', labels: { tier: 'front' } }),
    c({ id: '2'.repeat(64), name: 'db', state: 'exited', exitCode: 3, labels: { tier: 'back', keep: '' } }),
    c({ id: '3'.repeat(64), name: 'web-2', state: 'exited', exitCode: 0, imageId: 'sha256:' + 'd'.repeat(64), labels: {} }),
  ];
  const pick = (args: string[]): string[] => list.filter(psFilter(parseFilters(args, PS_FILTERS), () => new Set(['sha256:' + 'd'.repeat(64)]))).map((x) => x.name);
  assert.deepEqual(pick(['status=exited']), ['db', 'web-2']);
  assert.deepEqual(pick(['status=exited', 'status=running']), ['web', 'db', 'web-2']);
  assert.deepEqual(pick(['name=web']), ['web', 'web-2']);
  assert.deepEqual(pick(['name=^web$']), ['web']);
  assert.deepEqual(pick(['label=tier']), ['web', 'db']);
  assert.deepEqual(pick(['label=tier', 'label=keep']), ['db']);
  assert.deepEqual(pick(['label=tier=front']), ['web']);
  assert.deepEqual(pick(['id=222']), ['db']);
  assert.deepEqual(pick(['exited=0']), ['web-2']);
  assert.deepEqual(pick(['ancestor=whatever']), ['web-2']);
  assert.throws(() => pick(['bogus=1']), (e: unknown) => e instanceof UsageError && e.message === "invalid filter 'bogus'");
  assert.throws(() => pick(['status=sleeping']), /invalid filter 'status=sleeping'/);
});

test('image filters: dangling, reference globs, label, before/since', () => {
  const imgs: ImageSummary[] = [
    { id: 'sha256:' + '1'.repeat(64), references: ['busybox:latest'], size: 1, createdAt: '2026-01-01T00:00:00Z', layers: 1 },
    { id: 'sha256:' + '2'.repeat(64), references: ['localhost:5000/team/app:1', 'localhost:5000/team/app:2'], size: 1, createdAt: '2026-01-02T00:00:00Z', layers: 1 },
    { id: 'sha256:' + '3'.repeat(64), references: [], size: 1, createdAt: '2026-01-03T00:00:00Z', layers: 1 },
  ];
  const labels: Record<string, Record<string, string>> = { ['sha256:' + '2'.repeat(64)]: { 'cove.test': 'x' } };
  const pick = (args: string[]): string[] => imgs.filter(imageFilter(parseFilters(args, IMAGE_FILTERS), imgs, (id) => labels[id] ?? {})).map((i) => i.id.slice(7, 8));
  assert.deepEqual(pick(['dangling=true']), ['3']);
  assert.deepEqual(pick(['dangling=false']), ['1', '2']);
  assert.deepEqual(pick(['reference=busybox']), ['1']);
  assert.deepEqual(pick(['reference=localhost:5000/team/*']), ['2']);
  assert.deepEqual(pick(['reference=*:2']), []);
  assert.deepEqual(pick(['reference=localhost:5000/team/app:2']), ['2']);
  assert.deepEqual(pick(['label=cove.test=x']), ['2']);
  assert.deepEqual(pick(['before=localhost:5000/team/app:1']), ['1']);
  assert.deepEqual(pick(['since=busybox']), ['2', '3']);
  assert.deepEqual([...imageIdsMatching('busybox', imgs)], ['sha256:' + '1'.repeat(64)]);
  assert.deepEqual([...imageIdsMatching('22222', imgs)], ['sha256:' + '2'.repeat(64)]);
});

test('volume filters: dangling, name substring, label, driver', () => {
  const vols: VolumeSummary[] = [
    { name: 'data', createdAt: '', labels: { keep: '1' }, anonymous: false, mountpoint: '/x', usedBy: ['web'] },
    { name: 'cache-data', createdAt: '', labels: {}, anonymous: true, mountpoint: '/y', usedBy: [] },
  ];
  const pick = (args: string[]): string[] => vols.filter(volumeFilter(parseFilters(args, VOLUME_FILTERS))).map((v) => v.name);
  assert.deepEqual(pick(['dangling=true']), ['cache-data']);
  assert.deepEqual(pick(['dangling=false']), ['data']);
  assert.deepEqual(pick(['name=data']), ['data', 'cache-data']);
  assert.deepEqual(pick(['label=keep']), ['data']);
  assert.deepEqual(pick(['driver=local']), ['data', 'cache-data']);
  assert.deepEqual(pick(['driver=nfs']), []);
});
