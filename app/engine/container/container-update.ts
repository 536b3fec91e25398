// `cove update`: docker's resource flags applied to a container's cgroup while
// it runs, and written into its OCI spec so the next start keeps them.
import type { RunOptions } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { readJsonFile, writeJsonAtomic } from '../fs-atomic.js';
import { cgroupDirOf, ociResources, updateCgroup, type Resources } from './cgroup-limits.js';
import type { ContainerRecord, ContainerStatus } from './container-store.js';
import type { OciSpec } from './oci-spec.js';
import { parseBytes } from './run-options.js';

export function resourcesFrom(opts: Pick<RunOptions, 'memory' | 'memorySwap' | 'cpus' | 'cpuShares' | 'pidsLimit'>): Resources {
  const r: Resources = {};
  if (opts.memory !== undefined) r.memory = parseBytes(opts.memory, '--memory');
  if (opts.memorySwap !== undefined) r.memorySwap = opts.memorySwap === '-1' ? -1 : parseBytes(opts.memorySwap, '--memory-swap');
  if (opts.cpus !== undefined) {
    if (!(opts.cpus > 0)) throw new EngineError('E_INVALID_ARGUMENT', `invalid --cpus ${opts.cpus}: give a positive number like 1.5`);
    r.cpus = opts.cpus;
  }
  if (opts.cpuShares !== undefined) r.cpuShares = opts.cpuShares;
  if (opts.pidsLimit !== undefined) r.pidsLimit = opts.pidsLimit;
  if (Object.keys(r).length === 0) throw new EngineError('E_INVALID_ARGUMENT', 'update needs at least one of --memory, --memory-swap, --cpus, --cpu-shares, --pids-limit');
  return r;
}

export async function updateResources(rec: ContainerRecord, status: ContainerStatus, specFile: string, opts: Pick<RunOptions, 'memory' | 'memorySwap' | 'cpus' | 'cpuShares' | 'pidsLimit'>): Promise<void> {
  const r = resourcesFrom(opts);
  const spec = await readJsonFile<OciSpec>(specFile);
  if (!spec?.linux.cgroupsPath) {
    throw new EngineError('E_NO_CGROUP_DELEGATION', `container ${rec.name} has no cgroup of its own (it was created without a delegated cgroup v2 subtree): limits cannot change`);
  }
  if ((status.state === 'running' || status.state === 'paused') && status.pid !== null) {
    const dir = cgroupDirOf(status.pid);
    if (!dir) throw new EngineError('E_NO_CGROUP_DELEGATION', `container ${rec.name} is not in its own cgroup`);
    await updateCgroup(dir, r);
  }
  const prev = spec.linux.resources ?? {};
  const next = ociResources(r) ?? {};
  spec.linux.resources = {
    ...prev,
    ...next,
    ...(prev.memory || next.memory ? { memory: { ...prev.memory, ...next.memory } } : {}),
    ...(prev.cpu || next.cpu ? { cpu: { ...prev.cpu, ...next.cpu } } : {}),
  };
  await writeJsonAtomic(specFile, spec);
}
