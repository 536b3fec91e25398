// `cove system check` on networks.json (issue 11): a damaged file or one
// that disagrees with the containers is reported (exit 1) and fixed by
// --repair; real containers as the test user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxSandbox, okRunner, type CoveSandbox } from '../../testing/harness.js';

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox('cove-it-netcheck-');
});
after(async () => {
  await sb?.cleanup();
});
const ok = okRunner(() => sb);
const stateFile = (): string => path.join(sb.home, 'networks.json');
const check = (...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> => sb.cove(['system', 'check', '--quick', ...flags]);
type Inspected = Array<{ Subnet?: string; Containers: Record<string, { Name: string; IPv4Address: string; Aliases: string[] }> }>;

test('stale endpoints and a renamed container are found; --repair fixes them', async () => {
  await ok(['network', 'create', '--subnet', '10.89.211.0/24', 'chk']);
  const id = (await ok(['create', '--name', 'c1', '--network', 'chk', '--network-alias', 'one', 'busybox', 'ip', 'addr', 'show', 'eth0'])).trim();
  const clean = await check();
  assert.equal(clean.code, 0, clean.stdout);
  assert.match(clean.stdout, /The store is consistent/);
  // rename keeps the endpoint's name in step with the record ...
  await ok(['rename', 'c1', 'c1new']);
  const s = JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as { endpoints: Array<Record<string, unknown>> };
  assert.deepEqual(s.endpoints.map((e) => e.name), ['c1new']);
  // ... a kill between its two writes leaves the old name, as written here, next to a container that is gone.
  s.endpoints = [{ ...s.endpoints[0], name: 'c1' }, { ...s.endpoints[0], container: 'a'.repeat(64), name: 'ghost', ip: '10.89.211.9' }];
  fs.writeFileSync(stateFile(), JSON.stringify(s));
  const found = await check();
  assert.equal(found.code, 1);
  assert.match(found.stdout, /PROBLEM network aaaaaaaaaaaa: container ghost is gone but still has address 10\.89\.211\.9/);
  assert.match(found.stdout, /PROBLEM network .*container c1new answers as c1 on network chk/);
  const fixed = await check('--repair');
  assert.equal(fixed.code, 0, fixed.stdout);
  assert.match(fixed.stdout, /repaired: networks: container ghost is gone .*: released the address/);
  assert.equal((await check()).code, 0);
  const members = (JSON.parse(await ok(['network', 'inspect', 'chk'])) as Inspected)[0]?.Containers ?? {};
  assert.deepEqual(Object.values(members).map((m) => m.Name), ['c1new']);
  assert.equal(members[id]?.IPv4Address, '10.89.211.2/24');
});

test('an unreadable networks.json breaks network commands until --repair rebuilds it from the containers', async () => {
  fs.writeFileSync(stateFile(), '{"networks": [ trunc');
  const broken = await sb.cove(['network', 'ls']);
  assert.equal(broken.code, 125);
  assert.match(broken.stderr, /networks\.json is damaged .*cove system check --repair/);
  const found = await check();
  assert.equal(found.code, 1);
  assert.match(found.stdout, /PROBLEM network networks.json: unreadable/);
  const fixed = await check('--repair');
  assert.equal(fixed.code, 0, fixed.stdout);
  assert.match(fixed.stdout, /repaired: networks: network chk of container c1new is lost: created it again with subnet 10\.89\.1\.0\/24/);
  assert.equal(fs.readdirSync(sb.home).filter((n) => n.startsWith('networks.json.corrupt-')).length, 1);
  assert.match(await ok(['network', 'ls', '--format', '{{.Name}} {{.Subnet}}']), /^chk 10\.89\.1\.0\/24$/m);
  // The container keeps its name, alias and the address it asked for (none: the first free one) and runs with it.
  await ok(['start', 'c1new']);
  assert.equal((await ok(['wait', 'c1new'])).trim(), '0');
  assert.match(await ok(['logs', 'c1new']), /inet 10\.89\.1\.2\/24/);
  const n = (JSON.parse(await ok(['network', 'inspect', 'chk'])) as Inspected)[0];
  assert.deepEqual(Object.values(n?.Containers ?? {}).map((m) => [m.Name, m.Aliases]), [['c1new', ['one']]]);
  await ok(['rm', 'c1new']);
  await ok(['network', 'rm', 'chk']);
  for (const f of fs.readdirSync(sb.home).filter((x) => x.startsWith('networks.json.corrupt-'))) fs.rmSync(path.join(sb.home, f));
});
