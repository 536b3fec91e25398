import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import type { ApiMethod, ApiParams, ApiResult } from '../app/api/contract.js';
import type { EngineConnection } from '../app/engine/engine-api.js';
import { EngineError } from '../app/engine/errors.js';
import { validateTerminalOpen } from '../app/transport/validate.js';
import { createIpcDispatcher, guarded } from './ipc-dispatch.js';
import { isTrustedSender, type IpcSenderInfo } from './sender-check.js';
import type { RendererLocation } from './renderer-location.js';

class FakeEngine {
  calls: Array<[string, unknown]> = [];
  readonly connection: EngineConnection = {
    call: async <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => {
      this.calls.push([method, params]);
      if (method === 'containers:start') throw new EngineError('E_CONTAINER_NOT_FOUND', 'no such container: nope');
      if (method === 'containers:inspect') throw new Error('boom at /secret/path.js:12');
      return [] as unknown as ApiResult<M>;
    },
    close: () => undefined,
  };
}

const trusted = { trusted: true };
const untrusted = { trusted: false };

test('refuses an untrusted sender before validating or touching the engine', async () => {
  const engine = new FakeEngine();
  const dispatch = createIpcDispatcher<{ trusted: boolean }>({ connectionFor: async () => engine.connection, isTrustedSender: (e) => e.trusted });
  const reply = await dispatch('containers:list', untrusted, { all: true });
  assert.deepEqual(reply, { ok: false, error: { code: 'E_UNAUTHORIZED', message: 'IPC from a frame that is not the Cove UI.' } });
  assert.equal(engine.calls.length, 0);
});

test('validates params: unknown fields, wrong types and unknown methods are E_INVALID_ARGUMENT', async () => {
  const engine = new FakeEngine();
  const dispatch = createIpcDispatcher<{ trusted: boolean }>({ connectionFor: async () => engine.connection, isTrustedSender: (e) => e.trusted });
  for (const [method, params] of [
    ['containers:list', { all: 'yes' }],
    ['containers:list', { all: true, extra: 1 }],
    ['containers:remove', { id: '../etc', force: false }],
    ['containers:run', { image: 'busybox', env: ['=oops'] }],
    ['shell:exec', {}],
  ] as const) {
    const reply = await dispatch(method, trusted, params);
    assert.equal(reply.ok, false, `${method} ${JSON.stringify(params)}`);
    assert.equal(!reply.ok && reply.error.code, 'E_INVALID_ARGUMENT');
  }
  assert.equal(engine.calls.length, 0);
});

test('answers with the result or the engine error code, never a stack', async () => {
  const engine = new FakeEngine();
  const seen: string[] = [];
  const dispatch = createIpcDispatcher<{ trusted: boolean }>({ connectionFor: async () => engine.connection, isTrustedSender: (e) => e.trusted, observe: (m) => seen.push(m) });
  assert.deepEqual(await dispatch('containers:list', trusted, { all: true }), { ok: true, result: [] });
  assert.deepEqual(await dispatch('containers:start', trusted, { id: 'nope' }), { ok: false, error: { code: 'E_CONTAINER_NOT_FOUND', message: 'no such container: nope' } });
  const internal = await dispatch('containers:inspect', trusted, { id: 'x' });
  assert.equal(!internal.ok && internal.error.code, 'E_INTERNAL');
  assert.doesNotMatch(!internal.ok ? internal.error.message : '', /secret/, 'an unexpected error does not leak its internals');
  assert.deepEqual(seen, ['containers:list']);
});

test('guarded: the same order for main-only channels', async () => {
  let ran = 0;
  const work = async () => ++ran;
  assert.equal((await guarded(untrusted, (e) => e.trusted, validateTerminalOpen, { container: 'c', mode: 'exec', cols: 80, rows: 24 }, work)).ok, false);
  const bad = await guarded(trusted, (e) => e.trusted, validateTerminalOpen, { container: 'c', mode: 'root-shell', cols: 80, rows: 24 }, work);
  assert.equal(!bad.ok && bad.error.code, 'E_INVALID_ARGUMENT');
  assert.deepEqual(await guarded(trusted, (e) => e.trusted, validateTerminalOpen, { container: 'c', mode: 'attach', cols: 80, rows: 24 }, work), { ok: true, result: 1 });
});

test('sender check: only the top frame of our window showing our page', () => {
  const location: RendererLocation = { kind: 'file', path: '/opt/cove/out/renderer/index.html' };
  const contents = { id: 1 };
  const ours = pathToFileURL(location.path).href;
  const ev = (over: Partial<IpcSenderInfo> & { url?: string; parent?: unknown }): IpcSenderInfo => ({
    sender: over.sender ?? contents,
    senderFrame: over.senderFrame === undefined ? { url: over.url ?? ours, parent: over.parent ?? null } : over.senderFrame,
  });
  assert.equal(isTrustedSender(ev({}), contents, location), true);
  assert.equal(isTrustedSender(ev({ parent: {} }), contents, location), false, 'a subframe');
  assert.equal(isTrustedSender(ev({ sender: { id: 2 } }), contents, location), false, 'another webContents');
  assert.equal(isTrustedSender(ev({ url: 'https://evil.example/' }), contents, location), false, 'navigated away');
  assert.equal(isTrustedSender(ev({ url: 'file:///tmp/index.html' }), contents, location), false, 'another local file');
  assert.equal(isTrustedSender(ev({ senderFrame: null }), contents, location), false, 'a destroyed frame');
  assert.equal(isTrustedSender(ev({}), null, location), false, 'no window');
  const dev: RendererLocation = { kind: 'dev', url: 'http://localhost:5173/' };
  assert.equal(isTrustedSender(ev({ url: 'http://localhost:5173/#/images' }), contents, dev), true);
  assert.equal(isTrustedSender(ev({ url: 'http://localhost:5174/' }), contents, dev), false);
});
