import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddHost, parseBytes, parseMount, parsePort, parseRestart, parseTmpfs, parseVolume } from './run-options.js';
import { EngineError } from '../errors.js';

const invalid = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof EngineError && e.code === 'E_INVALID_ARGUMENT' && re.test(e.message));

test('ports in every docker form', () => {
  assert.deepEqual(parsePort('8080:80'), { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' });
  assert.deepEqual(parsePort('127.0.0.1:5353:53/udp'), { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' });
  assert.deepEqual(parsePort('80'), { hostIp: '0.0.0.0', hostPort: 0, containerPort: 80, protocol: 'tcp' });
  assert.deepEqual(parsePort('127.0.0.1::80'), { hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' });
  invalid(() => parsePort('80:80/sctp'), /invalid port "80:80\/sctp"/);
  invalid(() => parsePort('99999:80'), /expected/);
  invalid(() => parsePort('a:b'), /expected/);
  invalid(() => parsePort('8080:0'), /expected/);
});

test('volumes: bind, named, anonymous, read-only', () => {
  assert.deepEqual(parseVolume('/srv/data:/data:ro'), { type: 'bind', source: '/srv/data', target: '/data', readOnly: true });
  assert.deepEqual(parseVolume('cache:/var/cache'), { type: 'volume', source: 'cache', target: '/var/cache', readOnly: false });
  assert.deepEqual(parseVolume('/scratch'), { type: 'volume', source: null, target: '/scratch', readOnly: false });
  invalid(() => parseVolume('./rel:/x'), /absolute path/);
  invalid(() => parseVolume('/a:relative'), /expected/);
  invalid(() => parseVolume('/a:/'), /cannot mount over \//);
  invalid(() => parseVolume('/a:/b:rx'), /expected/);
});

test('--mount and --tmpfs', () => {
  invalid(() => parseVolume('/srv:/proc/self/root'), /container's own root/);
  invalid(() => parseVolume('/srv:/proc/1/root/'), /cannot mount over \/proc\/1\/root/);
  invalid(() => parseMount('type=bind,source=/a,target=/proc/thread-self/root'), /cannot mount over/);
  invalid(() => parseVolume('/srv:/x/../proc/self/root'), /cannot mount over/);
  assert.equal(parseVolume('/srv/cpuinfo:/proc/cpuinfo:ro').target, '/proc/cpuinfo');
  assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly'), { type: 'bind', source: '/a', target: '/b', readOnly: true });
  assert.deepEqual(parseMount('type=volume,src=v1,dst=/v'), { type: 'volume', source: 'v1', target: '/v', readOnly: false });
  assert.deepEqual(parseMount('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777'), { type: 'tmpfs', target: '/t', options: ['size=1048576', 'mode=1777'] });
  invalid(() => parseMount('type=bind,target=/b'), /absolute source/);
  invalid(() => parseMount('type=nfs,target=/b'), /mount type/);
  invalid(() => parseMount('type=bind,source=/a,target=/b,bogus=1'), /unknown field "bogus"/);
  assert.deepEqual(parseTmpfs('/run:size=64m,mode=1777'), { type: 'tmpfs', target: '/run', options: ['size=64m', 'mode=1777'] });
  invalid(() => parseTmpfs('/run:exec=yes'), /invalid tmpfs option/);
});

test('restart policies, sizes and extra hosts', () => {
  assert.deepEqual(parseRestart('on-failure:2'), { name: 'on-failure', maxRetries: 2 });
  assert.deepEqual(parseRestart('always'), { name: 'always', maxRetries: 0 });
  invalid(() => parseRestart('sometimes'), /restart policy/);
  invalid(() => parseRestart('always:3'), /restart policy/);
  assert.equal(parseBytes('512m'), 512 * 1024 * 1024);
  assert.equal(parseBytes('1g'), 1024 ** 3);
  assert.equal(parseBytes('100'), 100);
  invalid(() => parseBytes('lots'), /unit/);
  assert.deepEqual(parseAddHost('db:10.0.2.100'), { name: 'db', ip: '10.0.2.100' });
  invalid(() => parseAddHost('nohost'), /name:ip/);
});
