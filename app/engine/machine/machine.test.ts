import assert from 'node:assert/strict';
import { test } from 'node:test';
import { machineOf } from '../../cli/machine-commands.js';
import { wantsTerminal } from '../../cli/machine-terminal.js';
import { ociResources } from '../container/cgroup-limits.js';
import { Frame, FrameReader, MAX_FRAME, encodeFrame, parseHeader, tokenMatches } from './agent-protocol.js';
import { validateConfig, validateName } from './machine-store.js';
import { guestEnvFile, qemuArgs, qemuEscape } from './qemu-args.js';

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
