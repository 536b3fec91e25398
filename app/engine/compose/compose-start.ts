// Starting, stopping and removing one container with its progress steps,
// and holding a service back until its dependencies meet their condition.
import type { ComposeContainer } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { ComposeDeps, StepReporter } from './compose-deps.js';
import { waitCompleted, waitHealthy } from './compose-wait.js';
import type { ComposeProject, ComposeService } from './model/compose-types.js';

export async function startContainer(deps: ComposeDeps, id: string, resource: string, steps: StepReporter): Promise<void> {
  steps.step(resource, 'Starting');
  await deps.call('containers:start', { id });
  steps.step(resource, 'Started');
}

export async function stopContainer(deps: ComposeDeps, c: ComposeContainer, steps: StepReporter, timeoutSeconds?: number): Promise<void> {
  const resource = `Container ${c.name}`;
  if (c.state !== 'running' && c.state !== 'paused') return;
  steps.step(resource, 'Stopping');
  await deps.call('containers:stop', { id: c.id, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) });
  steps.step(resource, 'Stopped');
}

export async function removeContainer(deps: ComposeDeps, c: ComposeContainer, steps: StepReporter, stopFirst: boolean, opts: { timeoutSeconds?: number; volumes?: boolean } = {}): Promise<void> {
  if (stopFirst) await stopContainer(deps, c, steps, opts.timeoutSeconds);
  const resource = `Container ${c.name}`;
  steps.step(resource, 'Removing');
  await deps.call('containers:remove', { id: c.id, force: true, ...(opts.volumes ? { volumes: true } : {}) });
  steps.step(resource, 'Removed');
}

/**
 * Waits for each dependency of `s`: started (service_started), healthy
 * (service_healthy) or exited 0 (service_completed_successfully). `bringUp`
 * gives a dependency's containers once they are started, or null when the
 * dependency is not part of this operation (then its current containers count).
 */
export async function awaitDependencies(deps: ComposeDeps, project: ComposeProject, s: ComposeService, bringUp: (dep: string) => Promise<ComposeContainer[]> | null, steps: StepReporter, current?: (dep: string) => Promise<ComposeContainer[]>): Promise<void> {
  await Promise.all(
    Object.entries(s.dependsOn).map(async ([dep, d]) => {
      if (!project.services[dep]) return;
      let containers: ComposeContainer[];
      try {
        const pending = bringUp(dep);
        containers = pending ? await pending : current ? await current(dep) : [];
      } catch {
        throw new EngineError('E_RUNTIME_FAILED', `dependency failed to start: service "${dep}" failed`);
      }
      for (const c of containers) {
        const resource = `Container ${c.name}`;
        try {
          if (d.condition === 'service_healthy') {
            steps.step(resource, 'Waiting');
            await waitHealthy(deps, c.id, c.name, steps.signal, true);
            steps.step(resource, 'Healthy');
          } else if (d.condition === 'service_completed_successfully') {
            steps.step(resource, 'Waiting');
            await waitCompleted(deps, c.id, c.name, steps.signal);
            steps.step(resource, 'Exited');
          }
        } catch (err) {
          steps.step(resource, 'Error', (err as Error).message);
          throw new EngineError('E_RUNTIME_FAILED', `dependency failed to start: ${(err as Error).message}`);
        }
      }
    }),
  );
}
