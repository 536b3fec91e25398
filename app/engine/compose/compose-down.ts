// `compose down`: the project's containers (orphans too with
// --remove-orphans), the networks it created, its volumes with -v and its
// images with --rmi; all found by their compose labels, so a project name
// alone is enough, and nothing not labelled for the project is touched.
import type { ComposeContainer, ComposeDownParams } from '../../api/contract.js';
import type { ComposeDeps, StepReporter } from './compose-deps.js';
import { LABEL, serviceImage } from './compose-labels.js';
import { dependencyLevels } from './compose-order.js';
import { projectContainers } from './compose-project.js';
import { removeContainer } from './compose-start.js';
import type { ComposeProject } from './model/compose-types.js';

/** Dependents first: a service goes before what it depends on. */
function stopOrder(project: ComposeProject | null, containers: ComposeContainer[]): ComposeContainer[][] {
  if (!project) return [containers];
  const levels = dependencyLevels(project).reverse();
  const groups = levels.map((names) => containers.filter((c) => names.includes(c.service)));
  const rest = containers.filter((c) => !levels.some((names) => names.includes(c.service)));
  return [rest, ...groups].filter((g) => g.length > 0);
}

export async function composeDown(deps: ComposeDeps, name: string, project: ComposeProject | null, p: ComposeDownParams, steps: StepReporter): Promise<void> {
  const all = await projectContainers(deps, name);
  const orphans = project ? all.filter((c) => !project.services[c.service] && !c.oneoff) : [];
  const targets = all.filter((c) => p.removeOrphans || !orphans.includes(c));
  for (const group of stopOrder(project, targets)) {
    await Promise.all(group.map((c) => removeContainer(deps, c, steps, true, { ...(p.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {}), volumes: p.volumes === true })));
  }
  if (orphans.length > 0 && !p.removeOrphans) steps.step(`Project ${name}`, 'Warning', `found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project; run with --remove-orphans to remove them`);

  const externalNetworks = new Set(project ? Object.values(project.networks).filter((n) => n.external).map((n) => n.name) : []);
  for (const n of await deps.call('networks:list', {})) {
    if (n.builtin || n.labels[LABEL.project] !== name || externalNetworks.has(n.name)) continue;
    const resource = `Network ${n.name}`;
    steps.step(resource, 'Removing');
    try {
      await deps.call('networks:remove', { name: n.name });
      steps.step(resource, 'Removed');
    } catch (err) {
      // Still in use by a container of another project: docker compose reports and goes on.
      steps.step(resource, 'Error', (err as Error).message);
    }
  }

  if (p.volumes) {
    const externalVolumes = new Set(project ? Object.values(project.volumes).filter((v) => v.external).map((v) => v.name) : []);
    for (const v of await deps.call('volumes:list', {})) {
      if (v.labels[LABEL.project] !== name || externalVolumes.has(v.name)) continue;
      const resource = `Volume ${v.name}`;
      steps.step(resource, 'Removing');
      try {
        await deps.call('volumes:remove', { name: v.name, force: false });
        steps.step(resource, 'Removed');
      } catch (err) {
        steps.step(resource, 'Error', (err as Error).message);
      }
    }
  }

  if (p.rmi) {
    // local: the images compose built (services without `image:`); all: every service's image.
    const refs = new Set<string>();
    if (project) {
      for (const s of Object.values(project.services)) if (p.rmi === 'all' || !s.image) refs.add(serviceImage(name, s));
    } else {
      for (const c of all) if (p.rmi === 'all' || c.image === `${name}-${c.service}` || c.image.startsWith(`${name}-${c.service}:`)) refs.add(c.image);
    }
    for (const ref of refs) {
      const resource = `Image ${ref}`;
      steps.step(resource, 'Removing');
      try {
        await deps.call('images:remove', { reference: ref, force: false });
        steps.step(resource, 'Removed');
      } catch (err) {
        if ((err as { code?: string }).code === 'E_IMAGE_NOT_FOUND') steps.step(resource, 'Removed');
        else steps.step(resource, 'Error', (err as Error).message);
      }
    }
  }
}
