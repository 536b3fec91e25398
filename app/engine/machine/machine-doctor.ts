// `cove doctor`'s line about the Cove VM: QEMU, the image, and the
// accelerator `machine start` would use (from the probe cached this boot).
import fs from 'node:fs';
import path from 'node:path';
import type { DoctorCheck } from '../../api/contract.js';
import { resolvePaths } from '../paths.js';
import { findQemu } from './qemu-binary.js';
import { findVmImage } from './vm-image.js';

function accelerator(runtimeDir: string): string {
  if (process.platform === 'darwin') return 'hvf';
  if (process.platform === 'win32') return 'whpx';
  try {
    fs.closeSync(fs.openSync('/dev/kvm', 'r+'));
  } catch {
    return fs.existsSync('/dev/kvm') ? 'tcg (/dev/kvm is not usable by this user)' : 'tcg (no /dev/kvm)';
  }
  try {
    const probe = JSON.parse(fs.readFileSync(path.join(runtimeDir, 'kvm-probe.json'), 'utf8')) as { ok: boolean };
    return probe.ok ? 'kvm (probe passed)' : 'tcg (KVM opened but a guest hung: nested virtualization?)';
  } catch {
    return 'kvm if its probe passes at the next machine start, else tcg';
  }
}

export function checkMachine(env: NodeJS.ProcessEnv = process.env): DoctorCheck {
  const accel = accelerator(resolvePaths(env).runtime);
  try {
    findQemu(env);
  } catch (err) {
    return { name: 'cove machine (VM)', status: 'warn', detail: (err as Error).message, fix: 'sudo apt-get install qemu-system-x86 qemu-utils (only needed for cove machine)' };
  }
  try {
    const img = findVmImage(env);
    return { name: 'cove machine (VM)', status: 'ok', detail: `QEMU and the VM image ${img.key} (${(img.sizeBytes / 1e6).toFixed(0)} MB); accelerator: ${accel}` };
  } catch (err) {
    return { name: 'cove machine (VM)', status: 'warn', detail: `${(err as Error).message}; accelerator: ${accel}`, fix: 'sudo node scripts/vm/build-image.mjs (only needed for cove machine)' };
  }
}
