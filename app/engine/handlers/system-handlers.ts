import path from 'node:path';
import { runDoctor } from '../doctor.js';
import { checkDockerSocket } from '../docker-socket-check.js';
import { dockerConfigDir, dockerContextState, stopUsingDockerContext, useDockerContext } from '../docker-context.js';
import type { TaskRegistry } from '../tasks.js';
import type { SettingsStore } from '../settings.js';
import type { ContainerService } from '../container/container-service.js';
import type { ImageService } from '../image-service.js';
import type { VolumeService } from '../volume/volume-service.js';
import { diskUsageReport } from '../disk-usage.js';
import type { DomainHandlers } from './handler-types.js';
import type { NetworkCheckReport } from '../network/network-check.js';

export interface SystemDeps {
  scratch: string;
  /** The runtime directory, where docker.sock is served. */
  runtime: string;
  containers: ContainerService;
  images: ImageService;
  volumes: VolumeService;
  /** networks.json against itself and the containers (app/engine/network/network-check.ts). */
  checkNetworks(repair: boolean): Promise<NetworkCheckReport>;
  buildCacheUsage(): Promise<{ entries: number; size: number; reclaimable: number }>;
}

export function systemHandlers(d: SystemDeps): DomainHandlers<'system'> {
  return {
    'system:doctor': async () => [...runDoctor(d.scratch), await checkDockerSocket(d.runtime)],
    'system:dockerContext': async () => dockerContextState(dockerConfigDir(), path.join(d.runtime, 'docker.sock')),
    'system:useDockerContext': async (p) => (p.enabled ? useDockerContext : stopUsingDockerContext)(dockerConfigDir(), path.join(d.runtime, 'docker.sock')),
    'system:df': async () => {
      const containers = await d.containers.list(true);
      const used = new Set(containers.map((c) => c.imageId));
      return diskUsageReport({
        containers,
        images: await d.images.diskUsage(async (id) => used.has(id)),
        volumes: await d.volumes.list(),
        buildCache: await d.buildCacheUsage(),
        upperDir: (id) => path.join(d.containers.containerDir(id), 'upper'),
      });
    },
    'system:check': async (p) => {
      const store = await d.images.check({ repair: p.repair, deep: p.deep });
      const nets = await d.checkNetworks(p.repair);
      return {
        ...store,
        problems: [...store.problems, ...nets.problems.map((f) => ({ kind: 'network' as const, id: f.id, problem: f.problem }))],
        leftovers: [...store.leftovers, ...nets.leftovers.map((l) => `networks: ${l}`)],
        repaired: [...store.repaired, ...nets.repaired],
      };
    },
  };
}

export function settingsHandlers(settings: SettingsStore): DomainHandlers<'settings'> {
  return {
    'settings:get': () => settings.read(),
    'settings:set': (p) => settings.update(p),
  };
}

export function taskHandlers(tasks: TaskRegistry): DomainHandlers<'tasks'> {
  return {
    'tasks:list': async () => tasks.list(),
    'tasks:cancel': async (p) => tasks.cancel(p.id),
  };
}
