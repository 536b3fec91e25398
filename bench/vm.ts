// The Cove VM: boot-to-ready (machine start until the agent answers), the
// idle VM's memory after each boot (QEMU's resident set after 20 s of idle,
// split by /proc/PID/smaps into guest RAM, TCG's translation cache and the
// rest, and what the guest itself uses), the resident set after a 300 MB
// allocation in the guest is freed again (free page reporting), the image
// size, one verb through the connection, and QEMU's own memory with the
// guest never run (what an accelerator's QEMU would keep besides the guest).
//   node --import tsx bench/vm.ts [boots] [memoryMB]   (as the user who runs machines)
// Prints figures; asserts nothing.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliPath, freePort } from '../app/testing/harness.js';
import type { MachineState } from '../app/engine/machine/machine-store.js';
import { MachineStore } from '../app/engine/machine/machine-store.js';
import { qemuArgs } from '../app/engine/machine/qemu-args.js';
import { findQemu } from '../app/engine/machine/qemu-binary.js';
import { findVmImage } from '../app/engine/machine/vm-image.js';
import { median, run, timed, vmRssKb } from './bench-kit.js';

export interface QemuMemory {
  totalMb: number;
  /** The mapping of the guest's RAM (-m): pages the guest touched and still holds. */
  guestRamMb: number;
  /** Executable anonymous mappings: TCG's translation cache (none with an accelerator). */
  tcgCacheMb: number;
  otherMb: number;
}

/** QEMU's resident set by kind, from /proc/PID/smaps. */
export function qemuMemory(pid: number, guestMb: number): QemuMemory {
  let total = 0;
  let guest = 0;
  let tcg = 0;
  let cur: { size: number; exec: boolean; anon: boolean } | undefined;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)/.exec(line);
    if (m) {
      cur = { size: (parseInt(m[2] as string, 16) - parseInt(m[1] as string, 16)) / 1048576, exec: (m[3] as string).includes('x'), anon: m[4] === '0' };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss || !cur) continue;
    const mb = Number(rss[1]) / 1024;
    total += mb;
    if (cur.anon && cur.size === guestMb) guest += mb;
    else if (cur.anon && cur.exec) tcg += mb;
  }
  return { totalMb: total, guestRamMb: guest, tcgCacheMb: tcg, otherMb: total - guest - tcg };
}

/**
 * QEMU's own resident set with the machine's command line and the guest
 * never run (-S): what an accelerator's QEMU keeps besides guest RAM, less
 * what running devices allocate later (the lower bound of "rest" with
 * KVM/HVF; the TCG run's "rest" is the upper one, TCG's bookkeeping in it).
 */
async function qemuBaseMb(env: NodeJS.ProcessEnv, memoryMb: number): Promise<number> {
  const store = new MachineStore(env);
  const config = { name: 'cove', cpus: 2, memoryMb, diskGb: 4, createdAt: '' };
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-vm-base-'));
  const args = qemuArgs({ config, image: findVmImage(), accelerator: 'tcg', dataDisk: store.file('cove', 'data.qcow2'), shareDir: scratch, homeDir: scratch, consoleLog: path.join(scratch, 'console'), qmpSocket: path.join(scratch, 'qmp'), agentPort: await freePort() });
  const { spawn } = await import('node:child_process');
  const child = spawn(findQemu().qemu, [...args, '-S'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 4000));
    return qemuMemory(child.pid as number, memoryMb).totalMb;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    await fsp.rm(scratch, { recursive: true, force: true });
  }
}

const spread = (xs: number[], digits = 0): string => `median ${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

export async function vmBench(boots = 3, memoryMb = 1024): Promise<Record<string, string | number>> {
  const home = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-vm-bench-'));
  const env = { ...process.env, COVE_HOME: home };
  const cove = (args: string[]): string => run(process.execPath, [cliPath(), ...args], { env, timeout: 600_000 });
  const image = findVmImage();
  const gz = path.join(home, 'image.tar.gz');
  run('tar', ['-C', image.dir, '-czf', gz, 'vmlinuz', 'initrd.img', 'rootfs.squashfs']);
  const out: Record<string, string | number> = {
    image_mb: image.sizeBytes / 1e6,
    image_compressed_tar_gz_mb: fs.statSync(gz).size / 1e6,
  };
  const state = (): MachineState => JSON.parse(fs.readFileSync(path.join(home, 'machines', 'cove', 'state.json'), 'utf8')) as MachineState;
  try {
    cove(['machine', 'init', '--memory', String(memoryMb), '--cpus', '2']);
    const base = await qemuBaseMb(env, memoryMb);
    out.qemu_base_rss_mb = base;
    const times: number[] = [];
    const idle: QemuMemory[] = [];
    const guestUsed: number[] = [];
    for (let i = 0; i < boots; i++) {
      times.push(timed(process.execPath, [cliPath(), 'machine', 'start'], { env, timeout: 600_000 }) / 1000);
      await new Promise((r) => setTimeout(r, 20_000));
      idle.push(qemuMemory(state().qemuPid as number, memoryMb));
      guestUsed.push(Number(cove(['machine', 'ssh', "awk '/MemTotal/{t=$2}/MemAvailable/{a=$2}END{print (t-a)/1024}' /proc/meminfo"]).trim()));
      if (i < boots - 1) cove(['machine', 'stop']);
    }
    out.boot_to_ready_s = spread(times, 1);
    out.idle_qemu_rss_mb = spread(idle.map((m) => m.totalMb));
    out.idle_guest_ram_rss_mb = spread(idle.map((m) => m.guestRamMb));
    out.idle_tcg_cache_rss_mb = spread(idle.map((m) => m.tcgCacheMb));
    out.idle_qemu_other_rss_mb = spread(idle.map((m) => m.otherMb));
    out.idle_guest_used_mb = spread(guestUsed);
    // With KVM/HVF/WHPX there is no translation cache: guest RAM plus QEMU's own, between its base (-S) and the TCG run's rest.
    out.idle_rss_with_accelerator_estimate_mb = `${spread(idle.map((m) => m.guestRamMb + base))} to ${spread(idle.map((m) => m.guestRamMb + m.otherMb))}`;
    // 300 MB written to the guest's tmpfs and removed: with free page reporting QEMU gives it back.
    const pid = state().qemuPid as number;
    cove(['machine', 'ssh', 'head -c 300000000 /dev/zero > /tmp/bench-fill; rm /tmp/bench-fill']);
    const peak = vmRssKb(pid) / 1024;
    await new Promise((r) => setTimeout(r, 15_000));
    out.after_300mb_freed_rss_mb = `${(vmRssKb(pid) / 1024).toFixed(0)} (right after: ${peak.toFixed(0)})`;
    out.verb_through_connection_ms = timed(process.execPath, [cliPath(), '--connection', 'machine', 'version'], { env });
    out.accelerator = state().accelerator;
    out.tcg_cache_mb = process.env.COVE_MACHINE_TCG_CACHE_MB ?? 'default';
    out.load_avg = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  } finally {
    run(process.execPath, [cliPath(), 'machine', 'rm', '-f'], { env });
    await fsp.rm(home, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  vmBench(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 1024)).then(
    (r) => process.stdout.write(`vm: ${Object.entries(r).map(([k, v]) => `${k}=${typeof v === 'number' ? v.toFixed(1) : v}`).join('; ')}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
