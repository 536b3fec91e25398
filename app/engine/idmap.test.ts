import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMapping, hostIdFor, mappedCount, mappingArg, parseSubidFile } from './idmap.js';

test('subuid lines match by name or by uid and skip junk', () => {
  const text = '# comment\nalice:100000:65536\nbob:200000:65536\n1001:300000:1000\nalice:bad:1\n\n';
  assert.deepEqual(parseSubidFile(text, 'alice', 1000), [{ start: 100000, count: 65536 }]);
  assert.deepEqual(parseSubidFile(text, 'carol', 1001), [{ start: 300000, count: 1000 }]);
  assert.deepEqual(parseSubidFile(text, 'dave', 1002), []);
});

test('mapping puts the caller at 0 and the ranges after it', () => {
  const m = buildMapping(1000, [{ start: 100000, count: 65536 }]);
  assert.deepEqual(m, [
    { containerID: 0, hostID: 1000, size: 1 },
    { containerID: 1, hostID: 100000, size: 65536 },
  ]);
  assert.equal(mappingArg(m), '0:1000:1,1:100000:65536');
  assert.equal(hostIdFor(m, 0), 1000);
  assert.equal(hostIdFor(m, 1), 100000);
  assert.equal(hostIdFor(m, 33), 100032);
  assert.equal(hostIdFor(m, 65537), null);
  assert.equal(mappedCount(m), 65537);
});
