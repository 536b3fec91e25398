// `cove doctor`'s line about the Cove VM: QEMU, the image, and the
// accelerator `machine start` would use (from the probe cached this boot).
import type { DoctorCheck } from '../../api/contract.js';
import { resolvePaths } from '../paths.js';
import { describeAccelerator } from './accel.js';
import { findQemu } from './qemu-binary.js';
import { findVmImage } from './vm-image.js';

export function checkMachine(env: NodeJS.ProcessEnv = process.env): DoctorCheck {
  const accel = describeAccelerator(resolvePaths(env).runtime);
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
