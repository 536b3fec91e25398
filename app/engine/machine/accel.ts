// The accelerator QEMU runs the VM with: KVM where /dev/kvm is usable and a
// guest actually runs on it (nested KVM can open fine and then hang: a probe
// boots the kernel and must see its first console line within a timeout),
// else TCG (software). HVF (macOS) and WHPX (Windows) are chosen by platform.
// The probe's answer is cached per boot of the host.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Accelerator } from './machine-store.js';

export interface AccelChoice {
  accelerator: Accelerator;
  reason: string;
}

const PROBE_TIMEOUT_MS = 8000;

function kvmOpenable(): boolean {
  try {
    fs.closeSync(fs.openSync('/dev/kvm', 'r+'));
    return true;
  } catch {
    return false;
  }
}

/** Boots the kernel with -accel kvm and no root: a working KVM prints "Linux version" in well under a second. */
export function probeKvm(qemu: string, kernel: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(qemu, ['-accel', 'kvm', '-M', 'q35', '-m', '128', '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio', '-kernel', kernel, '-append', 'console=ttyS0 panic=-1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Linux version')) finish(true);
    });
    child.on('error', () => finish(false));
    child.on('close', () => finish(false));
  });
}

function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

export async function chooseAccelerator(opts: { qemu: string; kernel: string; runtimeDir: string; env?: NodeJS.ProcessEnv }): Promise<AccelChoice> {
  const env = opts.env ?? process.env;
  const forced = env.COVE_MACHINE_ACCEL;
  if (forced === 'kvm' || forced === 'tcg' || forced === 'hvf' || forced === 'whpx') return { accelerator: forced, reason: 'COVE_MACHINE_ACCEL' };
  if (process.platform === 'darwin') return { accelerator: 'hvf', reason: 'macOS Hypervisor.framework' };
  if (process.platform === 'win32') return { accelerator: 'whpx', reason: 'Windows Hypervisor Platform' };
  if (!fs.existsSync('/dev/kvm')) return { accelerator: 'tcg', reason: 'no /dev/kvm' };
  if (!kvmOpenable()) return { accelerator: 'tcg', reason: '/dev/kvm is not usable by this user (add it to the kvm group)' };
  const cache = path.join(opts.runtimeDir, 'kvm-probe.json');
  try {
    const c = JSON.parse(fs.readFileSync(cache, 'utf8')) as { bootId: string; ok: boolean };
    if (c.bootId === bootId()) return c.ok ? { accelerator: 'kvm', reason: 'KVM probe passed (cached for this boot)' } : { accelerator: 'tcg', reason: 'KVM hangs (nested virtualization?); probe cached for this boot' };
  } catch {
    // no probe yet this boot
  }
  const ok = await probeKvm(opts.qemu, opts.kernel);
  try {
    fs.mkdirSync(opts.runtimeDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(cache, JSON.stringify({ bootId: bootId(), ok }), { mode: 0o600 });
  } catch {
    // the answer is only a cache
  }
  return ok ? { accelerator: 'kvm', reason: 'KVM probe passed' } : { accelerator: 'tcg', reason: `KVM opened but a guest did not start within ${PROBE_TIMEOUT_MS / 1000} s (nested virtualization?)` };
}
