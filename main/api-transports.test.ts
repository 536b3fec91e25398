// Every method of the API table through every transport: in-process, the
// unix socket, web mode's WebSocket, and Electron IPC through main's real
// registerEngineIpc and the real preload (only electron's module objects are
// faked, in memory: Electron's binary cannot run here). All of them reach
// one real engine on a scratch store, and must answer exactly as the
// in-process client does. Also: a client's subscriptions end with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { register } from 'node:module';
import { API_METHODS, type ApiMethod, type ApiParams, type CoveDesktopApi, type EngineEvent, type ErrorCode } from '../app/api/contract.js';
import { Engine } from '../app/engine/engine.js';
import { createApiClient, type ApiClient } from '../app/transport/api-client.js';
import { connectInProcess } from '../app/transport/local-client.js';
import { connectSocket } from '../app/transport/socket-client.js';
import { startUnixSocketServer, type UnixSocketServer } from '../app/transport/unix-socket-server.js';
import { PARAM_SCHEMAS } from '../app/transport/validate.js';
import { startWebServer, type RunningWebServer } from '../app/server/web-server.js';
import { TerminalRegistry } from '../app/terminal/terminal-registry.js';
import { connectApi } from '../app/testing/api-client.js';

// 'electron' resolves to the in-memory fake for this process only.
const fakeUrl = new URL('./testing/electron-fake.ts', import.meta.url).href;
register(
  'data:text/javascript,' +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
      if (specifier === 'electron') return { url: ${JSON.stringify(fakeUrl)}, shortCircuit: true };
      return next(specifier, context);
    }`),
);
const electron = (await import(fakeUrl)) as typeof import('./testing/electron-fake.js');
const { registerEngineIpc } = await import('./ipc.js');

/** What a call gave, with what differs between two equal calls (ids, times) masked. */
type Outcome = { ok: true; result: unknown } | { ok: false; code: ErrorCode; message: string };

interface Case<M extends ApiMethod> {
  params: ApiParams<M>;
  /** An error code, or 'ok'; `any-error` where the code depends on the host (network, files). */
  expect: 'ok' | ErrorCode | 'any-error';
}

const ABSENT = 'absent-container';
const IMAGE = '127.0.0.1:1/absent/image:1';

let dir = '';
const hostFile = (name: string): string => path.join(dir, name);

// A mapped type: a method added to the table without a case here does not compile.
const cases = (): { [M in ApiMethod]: Case<M> } => ({
  'containers:list': { params: { all: true }, expect: 'ok' },
  'containers:run': { params: { image: IMAGE }, expect: 'any-error' },
  'containers:start': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:stop': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:kill': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:remove': { params: { id: ABSENT, force: true, volumes: true }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:logs': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:inspect': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:restart': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:top': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:pause': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:unpause': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:rename': { params: { id: ABSENT, name: 'other' }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:prune': { params: {}, expect: 'ok' },
  'images:list': { params: {}, expect: 'ok' },
  'images:remove': { params: { reference: IMAGE, force: false }, expect: 'E_IMAGE_NOT_FOUND' },
  'images:pull': { params: { reference: IMAGE, tlsVerify: false }, expect: 'ok' },
  'images:inspect': { params: { reference: IMAGE }, expect: 'E_IMAGE_NOT_FOUND' },
  'images:history': { params: { reference: IMAGE }, expect: 'E_IMAGE_NOT_FOUND' },
  'images:tag': { params: { source: IMAGE, target: 'other:1' }, expect: 'E_IMAGE_NOT_FOUND' },
  'images:prune': { params: { all: false }, expect: 'ok' },
  'images:push': { params: { reference: IMAGE }, expect: 'ok' },
  'tasks:list': { params: {}, expect: 'ok' },
  'tasks:cancel': { params: { id: 'absent-task' }, expect: 'E_INVALID_ARGUMENT' },
  'system:doctor': { params: {}, expect: 'ok' },
  'system:dockerContext': { params: {}, expect: 'ok' },
  'system:useDockerContext': { params: { enabled: false }, expect: 'ok' },
  'stats:history': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'stats:current': { params: {}, expect: 'ok' },
  'volumes:list': { params: {}, expect: 'ok' },
  'volumes:create': { params: { name: 'transport-test', labels: { a: 'b' } }, expect: 'ok' },
  'volumes:inspect': { params: { name: 'transport-test' }, expect: 'ok' },
  'volumes:remove': { params: { name: 'transport-test', force: false }, expect: 'ok' },
  'volumes:prune': { params: {}, expect: 'ok' },
  'networks:list': { params: {}, expect: 'ok' },
  // A created network's ID is random, so each transport's create would differ: the refusals are compared instead.
  'networks:create': { params: { name: 'transport-net', subnet: '10.88.7.1/24', internal: true, labels: { a: 'b' } }, expect: 'E_INVALID_ARGUMENT' },
  'networks:inspect': { params: { name: 'absent-net' }, expect: 'E_NETWORK_NOT_FOUND' },
  'networks:connect': { params: { network: 'absent-net', container: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'networks:disconnect': { params: { network: 'absent-net', container: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'machines:list': { params: {}, expect: 'ok' },
  'machines:start': { params: { name: 'absent-machine' }, expect: 'E_MACHINE_NOT_FOUND' },
  'machines:stop': { params: { name: 'absent-machine' }, expect: 'E_MACHINE_NOT_FOUND' },
  'networks:remove': { params: { name: 'absent-net' }, expect: 'E_NETWORK_NOT_FOUND' },
  'networks:prune': { params: {}, expect: 'ok' },
  'settings:get': { params: {}, expect: 'ok' },
  'settings:set': { params: {}, expect: 'ok' },
  'containers:create': { params: { image: IMAGE, name: 'never' }, expect: 'any-error' },
  'containers:wait': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:diff': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:port': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:export': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:copyTo': { params: { id: ABSENT, hostPath: hostFile('in'), path: '/tmp' }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:copyFrom': { params: { id: ABSENT, path: '/etc/hostname', hostPath: hostFile('out') }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:update': { params: { id: ABSENT, memory: '64m' }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:archive': { params: { id: ABSENT, path: '/etc' }, expect: 'E_CONTAINER_NOT_FOUND' },
  'containers:extract': { params: { id: ABSENT, hostPath: hostFile('in'), path: '/tmp' }, expect: 'E_CONTAINER_NOT_FOUND' },
  'images:load': { params: { path: hostFile('no-such-archive.tar') }, expect: 'any-error' },
  'images:save': { params: { references: [IMAGE], path: hostFile('saved.tar'), format: 'oci-archive' }, expect: 'E_IMAGE_NOT_FOUND' },
  'images:import': { params: { path: hostFile('no-such-rootfs.tar'), changes: ['CMD ["sh"]'] }, expect: 'any-error' },
  'registries:login': { params: { registry: '127.0.0.1:1', username: 'u', password: 'p' }, expect: 'any-error' },
  'registries:logout': { params: { registry: '127.0.0.1:1' }, expect: 'ok' },
  'system:df': { params: {}, expect: 'ok' },
  'system:check': { params: { repair: false, deep: false }, expect: 'ok' },
  'logs:follow': { params: { id: ABSENT }, expect: 'E_CONTAINER_NOT_FOUND' },
  'events:subscribe': { params: { types: ['volume'] }, expect: 'ok' },
  'subscriptions:close': { params: { subscription: 'not-mine' }, expect: 'E_INVALID_ARGUMENT' },
  'builder:build': { params: { context: hostFile('no-such-context') }, expect: 'E_INVALID_ARGUMENT' },
  'builder:prune': { params: {}, expect: 'ok' },
  'compose:config': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/' }, expect: 'any-error' },
  'compose:up': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/' }, expect: 'any-error' },
  'compose:down': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/' }, expect: 'any-error' },
  'compose:action': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/', action: 'stop' }, expect: 'any-error' },
  'compose:build': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/' }, expect: 'any-error' },
  'compose:pull': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/' }, expect: 'any-error' },
  'compose:push': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/' }, expect: 'any-error' },
  'compose:ps': { params: { projectName: 'absent-project', cwd: hostFile('') }, expect: 'ok' },
  'compose:ls': { params: { all: true }, expect: 'ok' },
  'compose:run': { params: { files: [hostFile('no-such-compose.yaml')], cwd: '/', service: 'web' }, expect: 'any-error' },
});

/** Masks what two equal calls may answer differently: ids of tasks and subscriptions, and times. */
function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (typeof value === 'string') return /^\d{4}-\d\d-\d\dT/.test(value) ? '<time>' : value;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'taskId' || k === 'subscription' || (k === 'id' && typeof v === 'string' && /^[0-9a-f]{16}$/.test(v)) ? '<id>' : mask(v)]));
}

async function outcome(client: ApiClient, method: ApiMethod, params: unknown): Promise<Outcome> {
  try {
    return { ok: true, result: mask(await client.call(method, params as never)) };
  } catch (err) {
    const { code, message } = err as { code: ErrorCode; message: string };
    return { ok: false, code, message };
  }
}

let engine: Engine;
let socket: UnixSocketServer;
let web: RunningWebServer;
let unregisterIpc: () => void;

type Transport = 'in-process' | 'unix-socket' | 'websocket' | 'electron-ipc';
const TRANSPORTS: Transport[] = ['in-process', 'unix-socket', 'websocket', 'electron-ipc'];

function desktopBridge(): CoveDesktopApi {
  const cove = electron.exposed.cove as CoveDesktopApi | undefined;
  assert.ok(cove, 'the preload exposed window.cove');
  return cove;
}

/** The preload's window.cove as an ApiClient (rejections are plain {code, message}, as the renderer gets them). */
function ipcClient(): ApiClient {
  const cove = desktopBridge();
  const client = createApiClient({ call: (method, params) => cove.call(method, params as never), close: async () => undefined });
  cove.onEvent((event, subscription) => client.deliver({ subscription, event }));
  return client;
}

async function connect(transport: Transport): Promise<ApiClient> {
  switch (transport) {
    case 'in-process':
      return connectInProcess(engine);
    case 'unix-socket': {
      const c = await connectSocket(socket.path);
      assert.ok(c, 'the socket answers');
      return c;
    }
    case 'websocket':
      return connectApi(web.url, { subscribe: false });
    case 'electron-ipc':
      return ipcClient();
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-transports-'));
  // The docker context methods write the docker CLI's config: a scratch one, never the user's.
  process.env.DOCKER_CONFIG = path.join(dir, 'docker-config');
  fs.writeFileSync(hostFile('in'), 'x');
  engine = await Engine.open({ home: path.join(dir, 'home') });
  socket = await startUnixSocketServer(engine, path.join(dir, 'run', 'engine.sock'));
  const terminals = new TerminalRegistry({ cli: [] });
  web = await startWebServer({ engine, staticDir: dir, terminals });
  unregisterIpc = registerEngineIpc({
    ipcMain: electron.ipcMain,
    engine: Promise.resolve(engine),
    isTrustedSender: () => true,
    terminals,
    preferences: { get: () => ({ openAtLogin: false, notifications: true }), set: () => ({ openAtLogin: false, notifications: true }) },
    openExternal: async () => undefined,
  });
  await import('./preload/index.js');
});

after(async () => {
  unregisterIpc();
  await web.close();
  await socket.close();
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the table, the validators and the IPC registration list the same methods', () => {
  assert.deepEqual(Object.keys(PARAM_SCHEMAS).sort(), [...API_METHODS].sort());
  assert.deepEqual(API_METHODS.filter((m) => !electron.ipcMain.channels.includes(m)), [], 'every method has an ipcMain handler');
});

test('every method through every transport answers as the in-process client does', async () => {
  const expected = new Map<ApiMethod, Outcome>();
  for (const transport of TRANSPORTS) {
    const client = await connect(transport);
    try {
      for (const [method, c] of Object.entries(cases()) as Array<[ApiMethod, Case<ApiMethod>]>) {
        const got = await outcome(client, method, c.params);
        const what = `${method} over ${transport}: ${JSON.stringify(got).slice(0, 300)}`;
        if (c.expect === 'ok') assert.equal(got.ok, true, what);
        else if (c.expect === 'any-error') assert.equal(got.ok, false, what);
        else assert.equal(!got.ok && got.code, c.expect, what);
        if (!got.ok) assert.doesNotMatch(got.message, /\n\s+at /, `${what}: no stack crosses a transport`);
        const first = expected.get(method);
        if (!first) expected.set(method, got);
        else if (method === 'tasks:list' || method === 'system:doctor') assert.equal(got.ok, first.ok, what);
        else assert.deepEqual(got, first, what);
      }
    } finally {
      await client.close();
    }
  }
});

test('bad input is refused before the engine on every transport but in-process', async () => {
  for (const transport of TRANSPORTS.filter((t) => t !== 'in-process')) {
    const client = await connect(transport);
    try {
      const got = await outcome(client, 'containers:list', { all: 'yes' });
      assert.equal(!got.ok && got.code, 'E_INVALID_ARGUMENT', transport);
      const path = await outcome(client, 'images:load', { path: 'relative.tar' });
      assert.equal(!path.ok && path.code, 'E_INVALID_ARGUMENT', transport);
    } finally {
      await client.close();
    }
  }
});

test('subscriptions: events reach the connection that subscribed, until it closes the subscription', async () => {
  for (const transport of TRANSPORTS) {
    const client = await connect(transport);
    const other = transport === 'electron-ipc' ? null : await connect(transport);
    try {
      const seen: EngineEvent[] = [];
      const otherSeen: EngineEvent[] = [];
      const sub = await client.subscribe('events:subscribe', { types: ['volume'] }, (e) => seen.push(e));
      if (other) await other.subscribe('events:subscribe', { types: ['container'] }, (e) => otherSeen.push(e));
      await client.call('volumes:create', { name: `sub-${transport}` });
      await waitFor(() => seen.some((e) => e.type === 'volume' && e.action === 'create' && e.id === `sub-${transport}`), `${transport}: the volume event`);
      await sub.close();
      const before = seen.length;
      await client.call('volumes:remove', { name: `sub-${transport}`, force: false });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(seen.length, before, `${transport}: nothing after subscriptions:close`);
      assert.deepEqual(otherSeen, [], `${transport}: another connection's subscription of other types saw nothing`);
    } finally {
      await client.close();
      await other?.close();
    }
  }
});

test('the unix socket, the WebSocket and an Electron window release their subscriptions when they go', async () => {
  // The window kept the subscription the every-method test opened through it: start from a fresh page.
  electron.webContents.reload();
  await new Promise((r) => setTimeout(r, 50));
  const baseline = engine.openSubscriptions;
  for (const transport of ['unix-socket', 'websocket'] as const) {
    const client = await connect(transport);
    await client.call('events:subscribe', {});
    await client.call('events:subscribe', { types: ['stats'] });
    assert.equal(engine.openSubscriptions, baseline + 2, transport);
    await client.close();
    await waitFor(() => engine.openSubscriptions === baseline, `${transport}: released on disconnect`);
  }
  const cove = desktopBridge();
  await cove.call('events:subscribe', {});
  assert.equal(engine.openSubscriptions, baseline + 1);
  electron.webContents.reload();
  await waitFor(() => engine.openSubscriptions === baseline, 'electron: released when the page reloads');
  await cove.call('events:subscribe', {});
  assert.equal(engine.openSubscriptions, baseline + 1, 'the reloaded page gets a new connection');
  electron.webContents.destroy();
  await waitFor(() => engine.openSubscriptions === baseline, 'electron: released when the window is destroyed');
});

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
