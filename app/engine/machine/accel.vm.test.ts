// The accelerator probe with a real QEMU and the VM image's kernel (npm
// test's "vm" phase): a guest that prints nothing within the timeout counts
// as a hang (nested KVM on this machine opens /dev/kvm and never runs the
// guest), QEMU is killed, and machine start falls back to TCG.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chooseAccelerator, probeAccel } from './accel.js';
import { findVmImage } from './vm-image.js';

const QEMU = '/usr/bin/qemu-system-x86_64';

function kernel(): string | undefined {
  try {
    return findVmImage().kernel;
  } catch {
    return undefined;
  }
}

/** Probe QEMUs still running: the probe's own command line ("-accel X -M q35 -m 128"). */
function probesRunning(kernelPath: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const args = cmd.split('\u0000');
      if (args.join(' ').includes(' -M q35 -m 128 ') && args.includes(kernelPath) && fs.statSync(`/proc/${p}`).uid === process.getuid?.()) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const k = kernel();
const skip = !k ? 'no VM image; npm test builds it as root' : !fs.existsSync(QEMU) ? 'qemu-system-x86 is not installed' : undefined;

describe('accelerator probe (real QEMU)', { skip }, () => {
  it('a guest that prints nothing within the timeout is a hang: QEMU is killed, the probe says so', async () => {
    // TCG cannot get a kernel to its first line in 300 ms: the same silence a hung nested KVM gives.
    const t0 = Date.now();
    const r = await probeAccel(QEMU, k as string, 'tcg', 300);
    assert.equal(r.ok, false);
    assert.equal(r.hung, true);
    assert.match(r.detail, /did not start within 0\.3 s/);
    assert.ok(Date.now() - t0 < 5000, `the probe gave up in ${Date.now() - t0} ms`);
    const deadline = Date.now() + 5000;
    while (probesRunning(k as string).length && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(probesRunning(k as string), [], 'the probe QEMU is gone');
  });

  it('a working accelerator passes: the kernel prints its first line', async () => {
    const r = await probeAccel(QEMU, k as string, 'tcg', 120_000);
    assert.deepEqual(r, { ok: true, hung: false, detail: 'TCG probe passed' });
  });

  it('machine start probes KVM once per boot of the host and falls back to TCG with the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-accel-'));
    try {
      // The real /dev/kvm; this file stands in only so that the user running the tests gets to the probe.
      const dev = path.join(dir, 'kvm');
      fs.writeFileSync(dev, '');
      const choice = await chooseAccelerator({ qemu: QEMU, kernel: k as string, runtimeDir: dir, env: {}, kvmDevice: dev });
      const cached = JSON.parse(fs.readFileSync(path.join(dir, 'kvm-probe.json'), 'utf8')) as { ok: boolean; detail: string };
      if (choice.accelerator === 'kvm') assert.deepEqual([choice.reason, cached.ok], ['KVM probe passed', true]);
      else {
        // Here: /dev/kvm is root's (QEMU exits) or nested KVM hangs (as root).
        assert.equal(choice.accelerator, 'tcg');
        assert.match(choice.reason, /QEMU with -accel kvm exited|did not start within 8 s/);
        assert.deepEqual([cached.ok, cached.detail], [false, choice.reason]);
        const again = await chooseAccelerator({ qemu: '/nonexistent/qemu', kernel: k as string, runtimeDir: dir, env: {}, kvmDevice: dev });
        assert.deepEqual(again, { accelerator: 'tcg', reason: `${choice.reason}; probe cached for this boot` });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
