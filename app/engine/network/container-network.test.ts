import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderSpec, type SpecLike } from './container-network.js';

const mappings = { uid: [{ containerID: 0, hostID: 1000, size: 1 }], gid: [{ containerID: 0, hostID: 1000, size: 1 }] };
const holder = { usernsLink: '/run/x/net-holder.userns', selfHookArgv: (id: string) => ['/opt/cove-net-holder', 'attach-self', '/run/x/net-holder.sock', id] };
const fresh = (): SpecLike => ({
  linux: { namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'user' }], uidMappings: [{ containerID: 0, hostID: 5, size: 1 }], gidMappings: [] },
  hooks: { createContainer: [{ path: '/usr/bin/other', args: ['other'] }] },
});

test("Cove's runtime: the holder's user namespace by path alone, no attach hook; a second pass changes nothing", () => {
  const spec = fresh();
  assert.equal(holderSpec(spec, holder, 'cove', 'abc', mappings), true);
  assert.deepEqual(spec.linux.namespaces[0], { type: 'user', path: holder.usernsLink });
  assert.equal(spec.linux.namespaces.filter((n) => n.type === 'user').length, 1);
  assert.equal(spec.linux.uidMappings, undefined);
  assert.equal(spec.linux.gidMappings, undefined);
  assert.deepEqual(spec.hooks?.createContainer, [{ path: '/usr/bin/other', args: ['other'] }]);
  assert.equal(holderSpec(spec, holder, 'cove', 'abc', mappings), false);
});

test('runc: the path with the mappings (runc refuses a user namespace without), and the attach-self createContainer hook once', () => {
  const spec = fresh();
  assert.equal(holderSpec(spec, holder, 'runc', 'abc', mappings), true);
  assert.deepEqual(spec.linux.namespaces[0], { type: 'user', path: holder.usernsLink });
  assert.deepEqual(spec.linux.uidMappings, mappings.uid);
  assert.deepEqual(spec.linux.gidMappings, mappings.gid);
  assert.deepEqual(spec.hooks?.createContainer, [
    { path: '/usr/bin/other', args: ['other'] },
    { path: '/opt/cove-net-holder', args: ['/opt/cove-net-holder', 'attach-self', '/run/x/net-holder.sock', 'abc'], timeout: 20 },
  ]);
  assert.equal(holderSpec(spec, holder, 'runc', 'abc', mappings), false);
  // Back to Cove's runtime (a spec written for runc): hook and mappings go, the other hook stays.
  assert.equal(holderSpec(spec, holder, 'cove', 'abc', mappings), true);
  assert.deepEqual(spec.hooks?.createContainer, [{ path: '/usr/bin/other', args: ['other'] }]);
  assert.equal(spec.linux.uidMappings, undefined);
});
