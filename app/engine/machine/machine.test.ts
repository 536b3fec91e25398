import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { machineOf } from '../../cli/machine-commands.js';
import { NATIVE_SHIPPED } from '../install-paths.js';
import { wantsTerminal } from '../../cli/machine-terminal.js';
import { ociResources } from '../container/cgroup-limits.js';
import type { Delivery } from '../engine-api.js';
import { socketConnection } from './machine-engine.js';
import { Frame, FrameReader, MAX_FRAME, encodeFrame, parseHeader, tokenMatches } from './agent-protocol.js';
import { validateConfig, validateName } from './machine-store.js';
import { guestEnvFile, qemuArgs, qemuEscape, tcgCacheMb } from './qemu-args.js';

test('agent frames survive any split of the byte stream, and an oversized frame is refused', () => {
  const bytes = Buffer.concat([encodeFrame(Frame.stdout, 'hello'), encodeFrame(Frame.exit, JSON.stringify({ code: 3 })), encodeFrame(Frame.stderr, Buffer.alloc(0))]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const r = new FrameReader();
    const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
    assert.deepEqual(got.map((f) => [f.type, f.payload.toString()]), [[Frame.stdout, 'hello'], [Frame.exit, '{"code":3}'], [Frame.stderr, '']]);
  }
  const big = Buffer.alloc(5);
  big.writeUInt8(Frame.stdin, 0);
  big.writeUInt32BE(MAX_FRAME + 1, 1);
  assert.throws(() => new FrameReader().push(big), /over the limit/);
});

test('agent headers: token compared in constant time, unknown operations and bad fields refused', () => {
  assert.ok(tokenMatches('abc', 'abc'));
  assert.ok(!tokenMatches('abc', 'abd'));
  assert.ok(!tokenMatches('abc', 'ab'));
  assert.ok(!tokenMatches('abc', 42));
  assert.deepEqual(parseHeader('{"token":"t","op":"cove","argv":["ps"]}'), { token: 't', op: 'cove', argv: ['ps'] });
  assert.throws(() => parseHeader('{"token":"t","op":"rm -rf"}'), /bad header/);
  assert.throws(() => parseHeader('{"token":"t","op":"exec","argv":[1]}'), /bad argv/);
  assert.throws(() => parseHeader('{"token":"t","op":"exec","env":{"A":1}}'), /bad env/);
  assert.deepEqual(parseHeader('{"token":"t","op":"cove","tty":{"rows":30,"cols":100}}').tty, { rows: 30, cols: 100 });
  assert.throws(() => parseHeader('{"token":"t","op":"cove","tty":{"rows":0,"cols":100}}'), /bad tty/);
  assert.throws(() => parseHeader('{"token":"t","op":"cove","tty":{"rows":"30","cols":100}}'), /bad tty/);
  assert.throws(() => parseHeader('not json'));
});

test('machine names and sizes are checked', () => {
  assert.equal(validateName('cove'), 'cove');
  for (const bad of ['', '../x', '-x', 'a/b', 'x'.repeat(64)]) assert.throws(() => validateName(bad), /invalid machine name/);
  validateConfig({ cpus: 2, memoryMb: 2048, diskGb: 20 });
  assert.throws(() => validateConfig({ cpus: 0, memoryMb: 2048, diskGb: 20 }), /--cpus/);
  assert.throws(() => validateConfig({ cpus: 1, memoryMb: 100, diskGb: 20 }), /--memory/);
  assert.throws(() => validateConfig({ cpus: 1, memoryMb: 512, diskGb: 0.5 }), /--disk-size/);
});

test('connections: local, machine (the default machine) and machine:NAME', () => {
  assert.equal(machineOf('local'), null);
  assert.equal(machineOf('machine'), 'cove');
  assert.equal(machineOf('machine:dev'), 'dev');
  assert.throws(() => machineOf('remote'), /unknown connection/);
});

test('a terminal in the VM for -t verbs and attach, pipes for the rest', () => {
  assert.equal(wantsTerminal(['run', '-it', 'busybox', 'sh']), true);
  assert.equal(wantsTerminal(['run', '--name', 'x', '--tty', '-i', 'busybox']), true);
  assert.equal(wantsTerminal(['container', 'run', '-t', 'busybox']), true);
  assert.equal(wantsTerminal(['exec', '-it', 'web', 'sh']), true);
  assert.equal(wantsTerminal(['attach', 'web']), true);
  assert.equal(wantsTerminal(['run', '--rm', 'busybox', 'ls', '-t']), false, "the container's own -t is not cove's");
  assert.equal(wantsTerminal(['run', '-i', 'busybox']), false);
  assert.equal(wantsTerminal(['exec', 'web', 'ls']), false);
  assert.equal(wantsTerminal(['ps']), false);
  assert.equal(wantsTerminal(['run', '--no-such-flag', 'busybox']), false);
});

test('QEMU command line: forwards only on the host loopback, home shared at its path, commas escaped', () => {
  assert.equal(qemuEscape('/home/a,b'), '/home/a,,b');
  const args = qemuArgs({
    config: { name: 'cove', cpus: 2, memoryMb: 1024, diskGb: 4, createdAt: '' },
    image: { dir: '/i', kernel: '/i/vmlinuz', initrd: '/i/initrd.img', rootfs: '/i/rootfs.squashfs', key: 'k', sizeBytes: 1 },
    accelerator: 'tcg',
    dataDisk: '/m/data.qcow2',
    shareDir: '/m/share',
    homeDir: '/home/a,b',
    consoleLog: '/m/console.log',
    qmpSocket: '/run/q.qmp',
    agentPort: 4242,
  }).join(' ');
  assert.match(args, /-netdev user,id=net0,hostfwd=tcp:127\.0\.0\.1:4242-:7070/);
  assert.match(args, /-fsdev local,id=home,path=\/home\/a,,b,security_model=none/);
  assert.match(args, /readonly=on -device virtio-9p-pci,fsdev=cfg,mount_tag=covecfg/);
  assert.match(args, /-accel tcg,thread=multi,tb-size=256/);
  assert.match(args, /virtio-balloon-pci,free-page-reporting=on/, 'freed guest pages go back to the host');
  assert.match(args, /-smp 2 -m 1024/);
  assert.match(args, /file=\/i\/rootfs\.squashfs,format=raw,readonly=on/);
});

test("TCG's translation cache: 256 MB unless COVE_MACHINE_TCG_CACHE_MB names a whole number from 16 to 2048", () => {
  assert.equal(tcgCacheMb({}), 256);
  assert.equal(tcgCacheMb({ COVE_MACHINE_TCG_CACHE_MB: '128' }), 128);
  for (const bad of ['8', '4096', '12.5', 'big', '']) assert.equal(tcgCacheMb({ COVE_MACHINE_TCG_CACHE_MB: bad }), 256, bad);
});

test("the VM image carries the native tools the engine runs, cove-pty, and no test program", async () => {
  // @ts-expect-error: a plain .mjs script without type declarations
  const { VM_NATIVE } = (await import('../../../scripts/vm/build-image.mjs')) as { VM_NATIVE: string[] };
  assert.deepEqual(VM_NATIVE, [...NATIVE_SHIPPED, 'cove-pty']);
});

test('the env file the VM sources quotes every value for sh', () => {
  assert.equal(guestEnvFile({ A: "it's", B: 5, C: '$(reboot)' }), "A='it'\\''s'\nB='5'\nC='$(reboot)'\n");
});

test('docker resource flags become runtime-spec resources (cpus -> quota/period, swap as memory+swap)', () => {
  assert.deepEqual(ociResources({ cpus: 0.5 }), { cpu: { quota: 50000, period: 100000 } });
  assert.deepEqual(ociResources({ memory: 32 << 20, memorySwap: 64 << 20, pidsLimit: 10, cpuShares: 512 }), {
    memory: { limit: 32 << 20, swap: 64 << 20 },
    cpu: { shares: 512 },
    pids: { limit: 10 },
  });
  assert.equal(ociResources({}), undefined);
});

test("a machine engine connection: replies by id, its subscription's events to its deliver, errors as the engine's, a lost socket fails what waits", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-mengine-'));
  const sock = path.join(dir, 'api.sock');
  const server = net.createServer((c) => {
    let buf = '';
    c.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const req = JSON.parse(buf.slice(0, nl)) as { id: number; method: string };
        buf = buf.slice(nl + 1);
        if (req.method === 'events:subscribe') {
          c.write(`${JSON.stringify({ kind: 'event', subscription: 's1', event: { type: 'container', action: 'start', id: 'c1', time: 't' } })}\n`);
          c.write(`${JSON.stringify({ kind: 'response', id: req.id, ok: true, result: { subscription: 's1' } })}\n`);
        } else if (req.method === 'containers:inspect') c.write(`${JSON.stringify({ kind: 'response', id: req.id, ok: false, error: { code: 'E_CONTAINER_NOT_FOUND', message: 'no such container' } })}\n`);
        else c.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(sock, () => r()));
  try {
    const seen: Delivery[] = [];
    const conn = socketConnection(sock, (d) => seen.push(d));
    assert.deepEqual(await conn.call('events:subscribe', { types: ['container'] }), { subscription: 's1' });
    assert.deepEqual(seen, [{ subscription: 's1', event: { type: 'container', action: 'start', id: 'c1', time: 't' } }]);
    await assert.rejects(conn.call('containers:inspect', { id: 'x' }), { code: 'E_CONTAINER_NOT_FOUND' });
    await assert.rejects(conn.call('containers:list', { all: true }), { code: 'E_INTERNAL' }, 'the socket closed under the call');
    await assert.rejects(conn.call('containers:list', { all: true }), { code: 'E_INTERNAL' }, 'and stays failed');
    conn.close();
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
