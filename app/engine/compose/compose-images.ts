// The images a project runs: built through the engine's builder (a
// `builder:build` task) as `<project>-<service>` unless the service names
// its image, pulled through `images:pull` tasks, pushed through `images:push`.
import path from 'node:path';
import { EngineError } from '../errors.js';
import type { ComposeDeps, StepReporter } from './compose-deps.js';
import { serviceImage } from './compose-labels.js';
import { awaitTask } from './compose-wait.js';
import type { ComposeProject, ComposeService } from './model/compose-types.js';

export async function imageId(deps: ComposeDeps, reference: string): Promise<string | null> {
  return deps.call('images:inspect', { reference }).then(
    (i) => i.Id,
    (err: unknown) => {
      if ((err as { code?: string }).code === 'E_IMAGE_NOT_FOUND' || (err as { code?: string }).code === 'E_INVALID_REFERENCE') return null;
      throw err;
    },
  );
}

export async function buildService(deps: ComposeDeps, project: ComposeProject, s: ComposeService, steps: StepReporter, opts: { noCache?: boolean; pull?: boolean } = {}): Promise<string> {
  const b = s.build;
  if (!b) throw new EngineError('E_INVALID_ARGUMENT', `service "${s.name}" has no build section`);
  const resource = `Service ${s.name}`;
  steps.step(resource, 'Building');
  try {
    await awaitTask(
      deps,
      () =>
        deps.call('builder:build', {
          context: b.context,
          dockerfile: path.resolve(b.context, b.dockerfile),
          tags: [serviceImage(project.name, s)],
          buildArgs: b.args,
          labels: b.labels,
          ...(b.target ? { target: b.target } : {}),
          ...(opts.noCache ? { noCache: true } : {}),
          ...(opts.pull ? { pull: true } : {}),
        }),
      steps.signal,
    );
  } catch (err) {
    steps.step(resource, 'Error', (err as Error).message);
    throw new EngineError('E_BUILD_FAILED', `failed to build service "${s.name}": ${(err as Error).message}`);
  }
  steps.step(resource, 'Built');
  const id = await imageId(deps, serviceImage(project.name, s));
  if (!id) throw new EngineError('E_BUILD_FAILED', `the build of service "${s.name}" left no image`);
  return id;
}

export async function pullImage(deps: ComposeDeps, s: ComposeService, reference: string, steps: StepReporter): Promise<string> {
  const resource = `${s.name}`;
  steps.step(resource, 'Pulling');
  try {
    await awaitTask(deps, () => deps.call('images:pull', { reference }), steps.signal);
  } catch (err) {
    steps.step(resource, 'Error', (err as Error).message);
    throw err;
  }
  steps.step(resource, 'Pulled');
  return (await imageId(deps, reference)) ?? '';
}

/**
 * The image ID each service runs, building or pulling as compose's
 * pull_policy and `--build` say: build when asked or when the image is
 * missing and there is a build section; pull when missing otherwise.
 */
export async function ensureImages(deps: ComposeDeps, project: ComposeProject, services: ComposeService[], steps: StepReporter, opts: { build?: boolean; pull?: 'always' | 'missing' | 'never' }): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const s of services) {
    const ref = serviceImage(project.name, s);
    let id = await imageId(deps, ref);
    const policy = opts.pull ?? s.pullPolicy ?? 'missing';
    if (s.build && (opts.build || policy === 'build' || (!id && !s.image) || (!id && policy === 'never'))) id = await buildService(deps, project, s, steps);
    else if (policy === 'always' || (!id && policy !== 'never')) {
      try {
        id = await pullImage(deps, s, ref, steps);
      } catch (err) {
        // compose builds when the pull of a buildable service's image fails.
        if (!s.build) throw new EngineError((err as { code?: EngineError['code'] }).code ?? 'E_IMAGE_NOT_FOUND', `service "${s.name}": pulling ${ref} failed: ${(err as Error).message}`);
        id = await buildService(deps, project, s, steps);
      }
    }
    if (!id) throw new EngineError('E_IMAGE_NOT_FOUND', `service "${s.name}": image ${ref} is not in the store (pull_policy never)`);
    ids.set(s.name, id);
  }
  return ids;
}
