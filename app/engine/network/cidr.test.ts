import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, isHostAddress, overlaps, parseCidr, parseIp } from './cidr.js';

test('parseIp accepts dotted quads only', () => {
  assert.equal(parseIp('10.89.0.1'), 0x0a590001);
  assert.equal(formatIp(0x0a590001), '10.89.0.1');
  assert.equal(parseIp('256.1.1.1'), null);
  assert.equal(parseIp('10.1.1'), null);
  assert.equal(parseIp('10.1.1.1 '), null);
});

test('parseCidr refuses bad prefixes and set host bits with a clear message', () => {
  assert.deepEqual(parseCidr('10.89.3.0/24'), { base: 0x0a590300, prefix: 24 });
  assert.throws(() => parseCidr('10.89.3.0'), /invalid subnet/);
  assert.throws(() => parseCidr('10.89.3.0/31'), /\/8 to \/30/);
  assert.throws(() => parseCidr('10.89.3.1/24'), /did you mean 10\.89\.3\.0\/24/);
  assert.throws(() => parseCidr('bogus/24'), /invalid subnet/);
});

test('overlaps and host addresses', () => {
  assert.equal(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.89.1.0/24')), true);
  assert.equal(overlaps(parseCidr('10.89.1.0/24'), parseCidr('10.89.2.0/24')), false);
  const c = parseCidr('10.89.1.0/24');
  assert.equal(isHostAddress(c, parseIp('10.89.1.0') as number), false);
  assert.equal(isHostAddress(c, parseIp('10.89.1.255') as number), false);
  assert.equal(isHostAddress(c, parseIp('10.89.1.7') as number), true);
  assert.equal(isHostAddress(c, parseIp('10.89.2.7') as number), false);
});
