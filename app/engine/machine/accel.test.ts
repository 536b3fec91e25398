import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chooseAccelerator, describeAccelerator } from './accel.js';

const bootId = (): string => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

test('a KVM probe that hung this boot: machine start falls back to TCG and says why; doctor shows it', { skip: process.platform !== 'linux' ? 'Linux only' : undefined }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-accel-'));
  try {
    // /dev/kvm stands in as a file this user can open (the real one is root's here); the probe's verdict is cached for this boot.
    const kvm = path.join(dir, 'kvm');
    fs.writeFileSync(kvm, '');
    const detail = 'KVM opened but a guest did not start within 8 s (nested virtualization?)';
    fs.writeFileSync(path.join(dir, 'kvm-probe.json'), JSON.stringify({ bootId: bootId(), ok: false, detail }));
    const env = { ...process.env, COVE_MACHINE_ACCEL: '' };
    const choice = await chooseAccelerator({ qemu: '/nonexistent/qemu', kernel: '/nonexistent', runtimeDir: dir, env, kvmDevice: kvm });
    assert.deepEqual(choice, { accelerator: 'tcg', reason: `${detail}; probe cached for this boot` });
    assert.equal(describeAccelerator(dir, kvm), `tcg (${detail})`);
    // A probe from another boot of the host is stale: the next start probes again.
    fs.writeFileSync(path.join(dir, 'kvm-probe.json'), JSON.stringify({ bootId: 'another-boot', ok: false, detail }));
    assert.equal(describeAccelerator(dir, kvm), 'kvm if its probe passes at the next machine start, else tcg');
    fs.writeFileSync(path.join(dir, 'kvm-probe.json'), JSON.stringify({ bootId: bootId(), ok: true, detail: 'KVM probe passed' }));
    assert.deepEqual(await chooseAccelerator({ qemu: '/nonexistent/qemu', kernel: '/nonexistent', runtimeDir: dir, env, kvmDevice: kvm }), { accelerator: 'kvm', reason: 'KVM probe passed (cached for this boot)' });
    assert.equal(describeAccelerator(dir, kvm), 'kvm (probe passed)');
    // No device, or one this user cannot open: TCG without a probe.
    assert.deepEqual(await chooseAccelerator({ qemu: '/nonexistent/qemu', kernel: '/nonexistent', runtimeDir: dir, env, kvmDevice: path.join(dir, 'none') }), { accelerator: 'tcg', reason: `no ${path.join(dir, 'none')}` });
    fs.chmodSync(kvm, 0o000);
    if (process.getuid?.() !== 0) assert.match(describeAccelerator(dir, kvm), /^tcg \(.* is not usable by this user/);
    // COVE_MACHINE_ACCEL overrides everything.
    assert.deepEqual(await chooseAccelerator({ qemu: '/nonexistent/qemu', kernel: '/nonexistent', runtimeDir: dir, env: { COVE_MACHINE_ACCEL: 'tcg' }, kvmDevice: kvm }), { accelerator: 'tcg', reason: 'COVE_MACHINE_ACCEL' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
