// QEMU's command line for a Cove VM: q35 with virtio devices only, the
// squashfs root read-only (vda), the data disk (vdb), user-mode networking
// with the agent's port forwarded to the host's loopback, the home directory
// and the config share over virtio-9p, the console to a file, QMP on a unix
// socket (hostfwd_add/remove and quit go through it).
import type { Accelerator, MachineConfig } from './machine-store.js';
import { AGENT_GUEST_PORT } from './agent-protocol.js';
import type { VmImage } from './vm-image.js';

export interface QemuPlan {
  config: MachineConfig;
  image: VmImage;
  accelerator: Accelerator;
  dataDisk: string;
  shareDir: string;
  homeDir: string;
  consoleLog: string;
  qmpSocket: string;
  agentPort: number;
}

/** The value of -virtfs path=... and other comma-separated options: a ',' is written ',,' (qemu-options). */
export function qemuEscape(value: string): string {
  return value.replace(/,/g, ',,');
}

/** TCG's translation cache in MB ($COVE_MACHINE_TCG_CACHE_MB, else 256). */
export function tcgCacheMb(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.COVE_MACHINE_TCG_CACHE_MB);
  return Number.isInteger(v) && v >= 16 && v <= 2048 ? v : 256;
}

export function qemuArgs(p: QemuPlan): string[] {
  const accel = p.accelerator === 'tcg' ? ['-accel', `tcg,thread=multi,tb-size=${tcgCacheMb()}`] : ['-accel', p.accelerator];
  const cpu = p.accelerator === 'kvm' ? 'host' : 'max';
  return [
    '-name', `cove-${p.config.name}`,
    '-M', 'q35',
    ...accel,
    '-cpu', cpu,
    '-smp', String(p.config.cpus),
    '-m', String(p.config.memoryMb),
    '-nodefaults', '-display', 'none', '-no-reboot', '-no-user-config',
    '-kernel', p.image.kernel,
    '-initrd', p.image.initrd,
    '-append', 'console=ttyS0 panic=-1 quiet loglevel=4 cgroup_no_v1=all page_reporting.page_reporting_order=5',
    '-chardev', `file,id=con0,path=${qemuEscape(p.consoleLog)}`,
    '-serial', 'chardev:con0',
    '-drive', `if=none,id=root,file=${qemuEscape(p.image.rootfs)},format=raw,readonly=on`,
    '-device', 'virtio-blk-pci,drive=root',
    '-drive', `if=none,id=data,file=${qemuEscape(p.dataDisk)},format=qcow2,discard=unmap`,
    '-device', 'virtio-blk-pci,drive=data',
    '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${p.agentPort}-:${AGENT_GUEST_PORT}`,
    '-device', 'virtio-net-pci,netdev=net0',
    '-fsdev', `local,id=home,path=${qemuEscape(p.homeDir)},security_model=none`,
    '-device', 'virtio-9p-pci,fsdev=home,mount_tag=coveHome',
    '-fsdev', `local,id=cfg,path=${qemuEscape(p.shareDir)},security_model=none,readonly=on`,
    '-device', 'virtio-9p-pci,fsdev=cfg,mount_tag=covecfg',
    '-device', 'virtio-rng-pci',
    // Free page reporting (virtio 1.1 "Free Page Reporting"): the guest hands
    // pages it freed back to QEMU, which drops them from its resident set, so
    // what boot touched once (the initramfs, page cache) is not held for ever.
    '-device', 'virtio-balloon-pci,free-page-reporting=on',
    '-rtc', 'base=utc,clock=host',
    '-qmp', `unix:${qemuEscape(p.qmpSocket)},server=on,wait=off`,
  ];
}

/** The env file the VM's init sources: one KEY='value' per line, quoted for sh. */
export function guestEnvFile(v: Record<string, string | number>): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return Object.entries(v)
    .map(([k, val]) => `${k}=${q(String(val))}\n`)
    .join('');
}
