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
const KVM_PROBE_FILE = 'kvm-probe.json';

function openable(device: string): boolean {
  try {
    fs.closeSync(fs.openSync(device, 'r+'));
    return true;
  } catch {
    return false;
  }
}

export interface ProbeResult {
  ok: boolean;
  /** Why not: the guest printed nothing in time (a hang), or QEMU exited. */
  hung: boolean;
  detail: string;
}

/**
 * Boots the kernel with -accel ACCEL and no root: a working accelerator
 * prints "Linux version" in well under a second. No line within the timeout
 * is a hang (nested KVM here opens /dev/kvm and then never runs the guest):
 * QEMU is killed and the caller falls back.
 */
export function probeAccel(qemu: string, kernel: string, accel: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const child = spawn(qemu, ['-accel', accel, '-M', 'q35', '-m', '128', '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio', '-kernel', kernel, '-append', 'console=ttyS0 panic=-1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let settled = false;
    const finish = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, hung: true, detail: `${accel.toUpperCase()} opened but a guest did not start within ${timeoutMs / 1000} s (nested virtualization?)` }), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Linux version')) finish({ ok: true, hung: false, detail: `${accel.toUpperCase()} probe passed` });
    });
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-400)));
    child.on('error', (e) => finish({ ok: false, hung: false, detail: `cannot run ${qemu}: ${e.message}` }));
    child.on('close', (code) => finish({ ok: false, hung: false, detail: `QEMU with -accel ${accel} exited (${code}) before the guest started: ${err.trim().split('\n').pop() ?? ''}` }));
  });
}

function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Why KVM cannot be used by this user at all, or null when its device opens. */
function kvmUnusable(kvm: string): string | null {
  if (!fs.existsSync(kvm)) return `no ${kvm}`;
  if (!openable(kvm)) return `${kvm} is not usable by this user: add it to the kvm group`;
  return null;
}

/** The KVM probe's answer cached this boot, if any. */
function cachedProbe(runtimeDir: string): { ok: boolean; detail?: string } | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(runtimeDir, KVM_PROBE_FILE), 'utf8')) as { bootId: string; ok: boolean; detail?: string };
    return c.bootId === bootId() ? c : undefined;
  } catch {
    return undefined; // no probe yet this boot
  }
}

const HUNG = 'KVM hangs (nested virtualization?)';

export async function chooseAccelerator(opts: { qemu: string; kernel: string; runtimeDir: string; env?: NodeJS.ProcessEnv; kvmDevice?: string }): Promise<AccelChoice> {
  const env = opts.env ?? process.env;
  const kvm = opts.kvmDevice ?? '/dev/kvm';
  const forced = env.COVE_MACHINE_ACCEL;
  if (forced === 'kvm' || forced === 'tcg' || forced === 'hvf' || forced === 'whpx') return { accelerator: forced, reason: 'COVE_MACHINE_ACCEL' };
  if (process.platform === 'darwin') return { accelerator: 'hvf', reason: 'macOS Hypervisor.framework' };
  if (process.platform === 'win32') return { accelerator: 'whpx', reason: 'Windows Hypervisor Platform' };
  const unusable = kvmUnusable(kvm);
  if (unusable) return { accelerator: 'tcg', reason: unusable };
  const cached = cachedProbe(opts.runtimeDir);
  if (cached) return cached.ok ? { accelerator: 'kvm', reason: 'KVM probe passed (cached for this boot)' } : { accelerator: 'tcg', reason: `${cached.detail ?? HUNG}; probe cached for this boot` };
  const probe = await probeAccel(opts.qemu, opts.kernel, 'kvm');
  try {
    fs.mkdirSync(opts.runtimeDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(opts.runtimeDir, KVM_PROBE_FILE), JSON.stringify({ bootId: bootId(), ok: probe.ok, detail: probe.detail }), { mode: 0o600 });
  } catch {
    // the answer is only a cache
  }
  return { accelerator: probe.ok ? 'kvm' : 'tcg', reason: probe.detail };
}

/** What `cove doctor` says about the accelerator: the platform's, or KVM's state and the probe cached this boot. */
export function describeAccelerator(runtimeDir: string, kvmDevice = '/dev/kvm'): string {
  if (process.platform === 'darwin') return 'hvf';
  if (process.platform === 'win32') return 'whpx';
  const unusable = kvmUnusable(kvmDevice);
  if (unusable) return `tcg (${unusable})`;
  const probe = cachedProbe(runtimeDir);
  if (!probe) return 'kvm if its probe passes at the next machine start, else tcg';
  return probe.ok ? 'kvm (probe passed)' : `tcg (${probe.detail ?? HUNG})`;
}
