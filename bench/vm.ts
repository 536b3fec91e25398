// The Cove VM: boot-to-ready (machine start until the agent answers), the
// idle VM's memory (QEMU's resident set after 20 s of idle, and what the guest
// itself uses), the image size, and one verb through the connection.
//   node --import tsx bench/vm.ts [boots]     (as the user who runs machines)
// Prints figures; asserts nothing.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliPath } from '../app/testing/harness.js';
import type { MachineState } from '../app/engine/machine/machine-store.js';
import { findVmImage } from '../app/engine/machine/vm-image.js';
import { median, run, timed, vmRssKb } from './bench-kit.js';

export async function vmBench(boots = 3): Promise<Record<string, number>> {
  const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-vm-bench-'));
  const env = { ...process.env, COVE_HOME: home };
  const cove = (args: string[]): string => run(process.execPath, [cliPath(), ...args], { env, timeout: 600_000 });
  const image = findVmImage();
  const gz = path.join(home, 'image.tar.gz');
  run('tar', ['-C', image.dir, '-czf', gz, 'vmlinuz', 'initrd.img', 'rootfs.squashfs']);
  const out: Record<string, number> = {
    image_mb: image.sizeBytes / 1e6,
    image_compressed_tar_gz_mb: fs.statSync(gz).size / 1e6,
  };
  try {
    cove(['machine', 'init', '--memory', '1024', '--cpus', '2']);
    const times: number[] = [];
    for (let i = 0; i < boots; i++) {
      times.push(timed(process.execPath, [cliPath(), 'machine', 'start'], { env, timeout: 600_000 }) / 1000);
      if (i < boots - 1) cove(['machine', 'stop']);
    }
    out.boot_to_ready_s_median = median(times);
    out.boot_to_ready_s_min = Math.min(...times);
    out.boot_to_ready_s_max = Math.max(...times);
    await new Promise((r) => setTimeout(r, 20_000));
    const state = JSON.parse(fs.readFileSync(path.join(home, 'machines', 'cove', 'state.json'), 'utf8')) as MachineState;
    out.idle_qemu_rss_mb = vmRssKb(state.qemuPid as number) / 1024;
    const used = cove(['machine', 'ssh', "awk '/MemTotal/{t=$2}/MemAvailable/{a=$2}END{print (t-a)/1024}' /proc/meminfo"]);
    out.idle_guest_used_mb = Number(used.trim());
    out.verb_through_connection_ms = timed(process.execPath, [cliPath(), '--connection', 'machine', 'version'], { env });
    out.accel_is_kvm = state.accelerator === 'kvm' ? 1 : 0;
  } finally {
    run(process.execPath, [cliPath(), 'machine', 'rm', '-f'], { env });
    await fsp.rm(home, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  vmBench(Number(process.argv[2] ?? 3)).then(
    (r) => process.stdout.write(`vm: ${Object.entries(r).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(1)}`).join(' ')}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
