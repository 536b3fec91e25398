import path from 'node:path';
import type { ImageService } from '../image-service.js';
import type { ContainerService } from '../container/container-service.js';
import type { TaskRegistry } from '../tasks.js';
import { EngineError } from '../errors.js';
import { parseImageChanges } from '../image-changes.js';
import type { DomainHandlers } from './handler-types.js';

function absolute(hostPath: string): string {
  if (!path.isAbsolute(hostPath)) throw new EngineError('E_INVALID_ARGUMENT', `host path ${hostPath} must be absolute`);
  return hostPath;
}

const tls = (tlsVerify: boolean | undefined) => (tlsVerify === undefined ? {} : { tlsVerify });

/** Pulls and pushes run as tasks: the request answers at once, progress follows as `task` events. */
export function imageHandlers(images: ImageService, containers: ContainerService, tasks: TaskRegistry): DomainHandlers<'images'> {
  return {
    'images:list': () => images.list(),
    'images:remove': (p) => images.remove(p.reference, p.force, (id) => containers.usersOfImage(id)),
    'images:pull': async (p) => {
      const task = tasks.create('pull', p.reference);
      void tasks.run(task, async (t) => {
        const r = await images.pull(p.reference, { ...(p.platform ? { platform: p.platform } : {}), ...tls(p.tlsVerify), signal: t.signal, progress: t });
        t.progress.outcome = { reference: r.reference, digest: r.digest, downloaded: r.downloaded };
      });
      return { taskId: task.progress.id };
    },
    'images:inspect': (p) => images.inspect(p.reference),
    'images:history': (p) => images.history(p.reference),
    'images:tag': async (p) => ({ reference: await images.tag(p.source, p.target) }),
    'images:prune': (p) => images.prune(p.all, (id) => containers.usersOfImage(id)),
    'images:push': async (p) => {
      const task = tasks.create('push', p.destination ?? p.reference);
      void tasks.run(task, async (t) => {
        const r = await images.push(p.reference, p.destination, { ...tls(p.tlsVerify), signal: t.signal, progress: t });
        t.progress.outcome = { reference: r.reference, digest: r.digest };
      });
      return { taskId: task.progress.id };
    },
    'images:load': async (p) => (await images.load(absolute(p.path))).map((r) => ({ id: r.id, references: r.references })),
    'images:save': async (p) => {
      await images.save(p.references, absolute(p.path), p.format);
      return { path: p.path };
    },
    'images:import': async (p) => {
      const r = await images.importRootfs(absolute(p.path), {
        ...(p.reference ? { reference: p.reference } : {}),
        changes: parseImageChanges(p.changes ?? []),
        ...(p.message ? { message: p.message } : {}),
      });
      return { id: r.id, references: r.references };
    },
  };
}

export function registryHandlers(images: ImageService): DomainHandlers<'registries'> {
  return {
    'registries:login': (p) => images.login(p.registry, { username: p.username, password: p.password }, tls(p.tlsVerify)),
    'registries:logout': (p) => images.logout(p.registry),
  };
}
