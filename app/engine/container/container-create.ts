import fsp from 'node:fs/promises';
import path from 'node:path';
import type { RunOptions } from '../../api/contract.js';
import { EngineError, noSpace } from '../errors.js';
import { ensureDir, writeJsonAtomic } from '../fs-atomic.js';
import type { IdMappings } from '../idmap.js';
import type { ImageService } from '../image-service.js';
import { nativeBinary } from '../install-paths.js';
import { familiarReference, normalizeReference } from '../reference.js';
import { runtimePath } from '../runtimes.js';
import type { SettingsStore } from '../settings.js';
import type { VolumeService } from '../volume/volume-service.js';
import { isUserNetwork, type NetworkService } from '../network/network-service.js';
import { holderSpec } from '../network/container-network.js';
import type { ContainerRecords } from './container-records.js';
import type { ContainerRecord } from './container-store.js';
import { nofileHardLimit } from './container-support.js';
import { hostnameFile, hostsFile, resolvFile } from './etc-files.js';
import { checkMountTargets } from './mount-target.js';
import { NAME_RE, newContainerId, randomName } from './names.js';
import { buildSpec, type OciSpec } from './oci-spec.js';
import { containerCgroupPath } from './cgroup-limits.js';
import { resolveRunConfig } from './run-config.js';

export interface CreateDeps {
  records: ContainerRecords;
  images: ImageService;
  mappings: IdMappings;
  settings: SettingsStore;
  volumes: VolumeService;
  networks: NetworkService;
}

/** docker create: the bundle, the overlay dirs, the /etc files and, last, container.json. */
export async function createContainer(d: CreateDeps, opts: RunOptions): Promise<ContainerRecord> {
  const store = d.records.store;
  const image = await d.images.resolve(opts.image);
  const config = await d.images.readConfig(image.id);
  const id = newContainerId();
  const p = store.paths(id);
  if (opts.name !== undefined && !NAME_RE.test(opts.name)) {
    throw new EngineError('E_INVALID_ARGUMENT', `invalid container name "${opts.name}": use letters, digits, _ . - and start with a letter or digit`);
  }
  let reference = opts.image;
  try {
    reference = familiarReference(normalizeReference(opts.image));
  } catch {
    // An ID was given: keep it as typed.
  }
  const runtime = opts.runtime ?? (await d.settings.read()).runtime;
  runtimePath(runtime);
  const lowerDirs = d.images.layerDiffs(image).reverse();
  const run = resolveRunConfig(opts, config, id, lowerDirs);
  checkMountTargets(run.mounts.map((m) => m.target), lowerDirs);
  if (run.network.startsWith('container:')) {
    const other = await d.records.resolve(run.network.slice('container:'.length));
    run.network = `container:${other.id}`;
  }
  const created: string[] = [];
  let endpoint = false;
  return d.records
    .locked(async () => {
      const taken = new Set((await store.records()).map((r) => r.name));
      let name = opts.name ?? randomName();
      if (opts.name !== undefined && taken.has(name)) {
        throw new EngineError('E_NAME_IN_USE', `the name "${name}" is already used by a container; remove it (cove rm ${name}) or pick another name`);
      }
      for (let i = 2; taken.has(name); i++) name = `${randomName()}${i}`;
      await ensureDir(p.root);
      const mkdir = (dir: string): Promise<unknown> => fsp.mkdir(dir, { mode: 0o755 });
      await allDone([mkdir(p.bundle).then(() => mkdir(p.rootfs)), mkdir(p.upper), mkdir(p.work)]);
      const volumePaths = new Map<string, string>();
      for (const m of run.mounts) {
        if (m.type !== 'volume') continue;
        const existed = m.source !== null && (await d.volumes.exists(m.source));
        const vol = await d.volumes.create(m.source, { anonymous: m.source === null });
        if (!existed) created.push(vol.name);
        m.source = vol.name;
        volumePaths.set(m.target, d.volumes.dataPath(vol.name));
      }
      let own: { ip: string; gateway: string; internal: boolean } | undefined;
      if (isUserNetwork(run.network)) {
        endpoint = true;
        own = await d.networks.attachOnCreate({ id, name }, [{ network: run.network, aliases: run.networkAliases ?? [], ip: run.ip ?? null }, ...(run.extraNetworks ?? [])], run.ports);
      }
      const etc = { hosts: path.join(p.root, 'hosts'), hostname: path.join(p.root, 'hostname'), resolv: path.join(p.root, 'resolv.conf') };
      const spec = buildSpec({
        image: config,
        run,
        lowerDirs,
        upperDir: p.upper,
        workDir: p.work,
        mappings: d.mappings,
        nofileHard: nofileHardLimit(),
        volumePaths,
        etcFiles: etc,
        initPath: nativeBinary('cove-init'),
        cgroupsPath: containerCgroupPath(id),
      });
      // On user networks: the holder's user namespace, through its link (so a start need not rewrite config.json).
      if (isUserNetwork(run.network)) holderSpec(spec, d.networks.holder, runtime, id, d.mappings);
      if (run.network.startsWith('container:')) {
        // Joining another container's network namespace means joining its user namespace too (its owner).
        const holder = await netnsHolderPid(d.records, run.network.slice(10));
        spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'user');
        spec.linux.namespaces.unshift({ type: 'user', path: `/proc/${holder}/ns/user` });
        spec.linux.namespaces.push({ type: 'network', path: `/proc/${holder}/ns/net` });
        delete (spec.linux as Partial<OciSpec['linux']>).uidMappings;
        delete (spec.linux as Partial<OciSpec['linux']>).gidMappings;
      }
      if (spec.process.args.length === 0) {
        throw new EngineError('E_INVALID_ARGUMENT', `image ${reference} has no command; give one, e.g. cove run ${reference} sh`);
      }
      const rec: ContainerRecord = {
        id,
        name,
        image: reference,
        imageId: image.id,
        command: spec.process.args,
        createdAt: new Date().toISOString(),
        autoRemove: opts.autoRemove ?? false,
        runtime,
        config: run,
        restartCount: 0,
      };
      await allDone([
        fsp.writeFile(etc.hosts, hostsFile(run, own), { mode: 0o644 }),
        fsp.writeFile(etc.hostname, hostnameFile(run), { mode: 0o644 }),
        fsp.writeFile(etc.resolv, resolvFile(run, undefined, own), { mode: 0o644 }),
        writeJsonAtomic(p.config, spec),
      ]);
      // container.json last: until it exists the directory is not a container.
      await store.writeRecord(rec);
      return rec;
    })
    .catch(async (err: unknown) => {
      await fsp.rm(p.root, { recursive: true, force: true }).catch(() => undefined);
      for (const v of created) await d.volumes.remove(v, true).catch(() => undefined);
      if (endpoint) await d.networks.release(id).catch(() => undefined);
      throw noSpace(err, p.root);
    });
}

/**
 * Independent writes overlap on the thread pool (create is on the path of
 * every `run`); all of them settle before a failure is thrown, so the
 * clean-up's rm never races a write still in flight.
 */
async function allDone(steps: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The pid whose network namespace `container:<id>` joins: the other container's init. */
async function netnsHolderPid(records: ContainerRecords, otherId: string): Promise<number> {
  const s = await records.status(otherId);
  if (s.state !== 'running' || s.pid === null) {
    throw new EngineError('E_CONTAINER_NOT_RUNNING', `--network container:${otherId.slice(0, 12)} needs that container running`);
  }
  return s.pid;
}
