// The Cove VMs for the app (the window's machine panel, the tray): the same
// MachineService as `cove machine`, loaded only when a machine method is
// called, so an engine that never shows machines never loads the VM code.
import fs from 'node:fs';
import type { MachineInfo } from '../../api/contract.js';
import type { MachineView } from '../machine/machine-service.js';
import { DEFAULT_MACHINE } from '../machine/machine-store.js';
import type { DomainHandlers } from './handler-types.js';

function residentBytes(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    // not Linux (no /proc), or QEMU just exited
    return null;
  }
}

function diskBytes(file: string): number {
  try {
    // Blocks, not the size: a qcow2 image is sparse on hosts that allow it.
    const st = fs.statSync(file);
    return st.blocks ? st.blocks * 512 : st.size;
  } catch {
    return 0;
  }
}

export function machineInfo(v: MachineView): MachineInfo {
  return {
    name: v.name,
    state: v.state,
    cpus: v.config.cpus,
    memoryMb: v.config.memoryMb,
    diskGb: v.config.diskGb,
    accelerator: v.runtime?.accelerator ?? null,
    readyAt: v.runtime?.readyAt ?? null,
    diskUsedBytes: diskBytes(v.paths.dataDisk),
    memoryUsedBytes: v.runtime ? residentBytes(v.runtime.qemuPid) : null,
  };
}

export function machineHandlers(env: NodeJS.ProcessEnv = process.env): DomainHandlers<'machines'> {
  const service = async () => new (await import('../machine/machine-service.js')).MachineService(env);
  return {
    'machines:list': async () => (await (await service()).list()).map(machineInfo),
    'machines:start': async (p) => machineInfo(await (await service()).start(p.name ?? DEFAULT_MACHINE)),
    'machines:stop': async (p) => {
      const name = p.name ?? DEFAULT_MACHINE;
      return { name, stopped: await (await service()).stop(name) };
    },
  };
}
