import { EngineError } from '../errors.js';
import type { ImageService } from '../image-service.js';
import type { ContainerService } from '../container/container-service.js';
import type { TaskRegistry } from '../tasks.js';
import type { DomainHandlers } from './handler-types.js';

/** `tasks` carries pulls and pushes; the engine passes its registry (engine.ts). */
export function imageHandlers(images: ImageService, containers: ContainerService, tasks?: TaskRegistry): DomainHandlers<'images'> {
  const needTasks = (): TaskRegistry => {
    if (!tasks) throw new EngineError('E_INTERNAL', 'this engine was built without a task registry; pass it to imageHandlers (engine.ts)');
    return tasks;
  };
  return {
    'images:list': () => images.list(),
    'images:remove': (p) => images.remove(p.reference, p.force, (id) => containers.usersOfImage(id)),
    'images:pull': async (p) => {
      const registry = needTasks();
      const task = registry.create('pull', p.reference);
      void registry.run(task, async (t) => {
        await images.pull(p.reference, { ...(p.platform ? { platform: p.platform } : {}), signal: t.signal, progress: t });
      });
      return { taskId: task.progress.id };
    },
    'images:inspect': (p) => images.inspect(p.reference),
    'images:history': (p) => images.history(p.reference),
    'images:tag': async (p) => ({ reference: await images.tag(p.source, p.target) }),
    'images:prune': (p) => images.prune(p.all, (id) => containers.usersOfImage(id)),
    'images:push': async (p) => {
      const registry = needTasks();
      const task = registry.create('push', p.destination ?? p.reference);
      void registry.run(task, async (t) => {
        await images.push(p.reference, p.destination, { signal: t.signal, progress: t });
      });
      return { taskId: task.progress.id };
    },
  };
}
