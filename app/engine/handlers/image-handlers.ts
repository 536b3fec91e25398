import type { ImageService } from '../image-service.js';
import type { ContainerService } from '../container/container-service.js';
import type { TaskRegistry } from '../tasks.js';
import type { DomainHandlers } from './handler-types.js';

/** Pulls and pushes run as tasks: the request answers at once, progress follows as `task` events. */
export function imageHandlers(images: ImageService, containers: ContainerService, tasks: TaskRegistry): DomainHandlers<'images'> {
  return {
    'images:list': () => images.list(),
    'images:remove': (p) => images.remove(p.reference, p.force, (id) => containers.usersOfImage(id)),
    'images:pull': async (p) => {
      const task = tasks.create('pull', p.reference);
      void tasks.run(task, async (t) => {
        await images.pull(p.reference, { ...(p.platform ? { platform: p.platform } : {}), signal: t.signal, progress: t });
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
        await images.push(p.reference, p.destination, { signal: t.signal, progress: t });
      });
      return { taskId: task.progress.id };
    },
  };
}
