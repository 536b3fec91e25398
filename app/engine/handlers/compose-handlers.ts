import type { ComposeTarget } from '../../api/contract.js';
import { composeAction, composeBuild, composeList, composePull, composePush, composeRun } from '../compose/compose-actions.js';
import { StepReporter, type ComposeDeps } from '../compose/compose-deps.js';
import { composeDown } from '../compose/compose-down.js';
import { loadProject, projectContainers, projectOrName } from '../compose/compose-project.js';
import { composeUp } from '../compose/compose-up.js';
import type { Task, TaskRegistry } from '../tasks.js';
import type { DomainHandlers } from './handler-types.js';

/**
 * Compose runs in the engine, so the CLI, the app and web mode share it.
 * The project is loaded before the task starts: a bad file is the call's
 * error and nothing is created; the work then runs as a `compose` task.
 */
export function composeHandlers(deps: ComposeDeps, tasks: TaskRegistry): DomainHandlers<'compose'> {
  const task = (project: string, work: (steps: StepReporter) => Promise<void>): { taskId: string } => {
    const t: Task = tasks.create('compose', project);
    t.update((p) => (p.compose = { project, steps: [] }), true);
    void tasks.run(t, () => work(new StepReporter(t)));
    return { taskId: t.progress.id };
  };
  const load = async (t: ComposeTarget, services?: string[]) => (await loadProject(deps, t, services)).project;
  return {
    'compose:config': async (p) => {
      const { project, warnings } = await loadProject(deps, p);
      return { name: project.name, yaml: await deps.render(project), services: Object.keys(project.services), warnings };
    },
    'compose:up': async (p) => {
      const project = await load(p, p.services);
      return task(project.name, (steps) => composeUp(deps, project, p, steps));
    },
    'compose:down': async (p) => {
      const { name, project } = await projectOrName(deps, p);
      return task(name, (steps) => composeDown(deps, name, project, p, steps));
    },
    'compose:action': async (p) => {
      const { name, project } = await projectOrName(deps, p);
      return task(name, (steps) => composeAction(deps, name, project, p, steps));
    },
    'compose:build': async (p) => {
      const project = await load(p);
      return task(project.name, (steps) => composeBuild(deps, project, p.services, steps, { ...(p.noCache ? { noCache: true } : {}), ...(p.pull ? { pull: true } : {}) }));
    },
    'compose:pull': async (p) => {
      const project = await load(p);
      return task(project.name, (steps) => composePull(deps, project, p.services, steps, p.ignoreFailures === true));
    },
    'compose:push': async (p) => {
      const project = await load(p);
      return task(project.name, (steps) => composePush(deps, project, p.services, steps));
    },
    'compose:ps': async (p) => {
      const { name } = await projectOrName(deps, p);
      const all = await projectContainers(deps, name);
      return all.filter((c) => (p.all || (c.state !== 'exited' && !c.oneoff)) && (!p.services?.length || p.services.includes(c.service)));
    },
    'compose:ls': (p) => composeList(deps, p.all === true),
    'compose:run': async (p) => {
      const project = await load(p, [p.service]);
      return composeRun(deps, project, p, new StepReporter(null));
    },
  };
}

