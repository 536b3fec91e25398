import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkOptions } from './network-flags.js';

test('one --network with --network-alias and --ip: the first network takes them', () => {
  assert.deepEqual(networkOptions(['app'], ['www'], '10.89.1.5'), { network: 'app', networkAliases: ['www'], ip: '10.89.1.5' });
  assert.deepEqual(networkOptions([], [], undefined), {});
  assert.deepEqual(networkOptions(['container:web'], [], undefined), { network: 'container:web' });
});

test('several --network: the first is primary, the rest extraNetworks, advanced syntax per network', () => {
  assert.deepEqual(networkOptions(['a', 'name=b,alias=x,alias=y,ip=10.89.2.9', 'c'], ['w'], undefined), {
    network: 'a',
    networkAliases: ['w'],
    extraNetworks: [{ name: 'b', aliases: ['x', 'y'], ip: '10.89.2.9' }, { name: 'c' }],
  });
  assert.deepEqual(networkOptions(['name=a,alias=p'], ['q'], undefined), { network: 'a', networkAliases: ['q', 'p'] });
});

test('bad --network values are refused with docker-like messages', () => {
  assert.throws(() => networkOptions(['name=a,ip=10.89.1.2'], [], '10.89.1.3'), /cannot specify both --ip and per-network IPv4 address/);
  assert.throws(() => networkOptions(['alias=x'], [], undefined), /give name=NETWORK/);
  assert.throws(() => networkOptions(['name=a,mac-address=x'], [], undefined), /unknown field "mac-address"/);
  assert.throws(() => networkOptions(['name=a,alias='], [], undefined), /alias needs a value/);
});
