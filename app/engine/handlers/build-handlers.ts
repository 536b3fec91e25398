import fs from 'node:fs';
import { EngineError } from '../errors.js';
import type { Builder } from '../build/builder.js';
import type { TaskRegistry } from '../tasks.js';
import type { DomainHandlers } from './handler-types.js';

/** Builds run as tasks: the request answers at once, steps and output follow as `task` events. */
export function buildHandlers(builder: () => Promise<Builder>, tasks: TaskRegistry): DomainHandlers<'builder'> {
  return {
    'builder:build': async (p) => {
      // A context that is not there is refused at once, not as a failed task.
      if (!fs.existsSync(p.context)) throw new EngineError('E_INVALID_ARGUMENT', `the build context ${p.context} does not exist on the engine's host`);
      const task = tasks.create('build', p.tags?.[0] ?? p.context);
      void tasks.run(task, async (t) => {
        const { runBuildTask } = await import('../build/build-task.js');
        await runBuildTask(await builder(), t, p);
      });
      return { taskId: task.progress.id };
    },
    'builder:prune': async () => (await builder()).cache.prune(),
  };
}
