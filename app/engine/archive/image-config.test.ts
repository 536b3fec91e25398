import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageConfig } from './image-config.js';
import { EngineError } from '../errors.js';

const d = 'sha256:' + 'a'.repeat(64);
const good = { architecture: 'amd64', os: 'linux', config: { Env: ['A=1'], Cmd: ['sh'], WorkingDir: '/', User: null, ExposedPorts: { '80/tcp': {} } }, rootfs: { type: 'layers', diff_ids: [d] } };

test('a valid config parses and keeps unknown config fields', () => {
  const c = parseImageConfig(Buffer.from(JSON.stringify(good)), d);
  assert.deepEqual(c.config?.Cmd, ['sh']);
  assert.deepEqual((c.config as Record<string, unknown>).ExposedPorts, { '80/tcp': {} });
});

test('malformed configs name the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['not json', /not valid JSON/],
    [[], /\(root\)/],
    [{ ...good, rootfs: undefined }, /rootfs: is missing/],
    [{ ...good, rootfs: { type: 'other', diff_ids: [] } }, /rootfs.type/],
    [{ ...good, rootfs: { type: 'layers', diff_ids: ['sha256:zz'] } }, /diff_ids.0/],
    [{ ...good, config: { Cmd: 'sh' } }, /config.Cmd/],
    [{ ...good, config: { User: 5 } }, /config.User/],
    [{ ...good, history: [{ empty_layer: 'yes' }] }, /history.0.empty_layer/],
  ];
  for (const [input, re] of cases) {
    const bytes = Buffer.from(typeof input === 'string' ? input : JSON.stringify(input));
    assert.throws(() => parseImageConfig(bytes, d), (e: unknown) => e instanceof EngineError && e.code === 'E_MANIFEST_INVALID' && re.test(e.message), String(re));
  }
});
