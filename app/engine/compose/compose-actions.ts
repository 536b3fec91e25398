// The other compose verbs on an existing project: start/stop/restart/kill/
// rm/pause/unpause per project or service, build, pull, push, ls, and a
// one-off `run` container.
import crypto from 'node:crypto';
import type { ComposeActionParams, ComposeContainer, ComposeProjectSummary, ComposeRunParams, ContainerSummary } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { containerPlan, createBindSources } from './compose-container-options.js';
import type { ComposeDeps, StepReporter } from './compose-deps.js';
import { LABEL, serviceImage } from './compose-labels.js';
import { dependencyLevels, selectServices } from './compose-order.js';
import { asComposeContainer, projectContainers } from './compose-project.js';
import { awaitDependencies, removeContainer, startContainer, stopContainer } from './compose-start.js';
import { composeUp } from './compose-up.js';
import { awaitTask } from './compose-wait.js';
import { buildService, ensureImages, pullImage } from './compose-images.js';
import type { ComposeProject } from './model/compose-types.js';

function byService(containers: ComposeContainer[], services: string[] | undefined): ComposeContainer[] {
  return services && services.length > 0 ? containers.filter((c) => services.includes(c.service)) : containers;
}

/** `depends_on: {X: {restart: true}}`: restarting X restarts the service too (and what depends on it so). */
export function withRestartingDependents(project: ComposeProject | null, services: string[] | undefined): string[] | undefined {
  if (!project || !services || services.length === 0) return services;
  const out = new Set(services);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of Object.values(project.services)) {
      if (out.has(s.name)) continue;
      if (Object.entries(s.dependsOn).some(([d, dep]) => dep.restart && out.has(d))) {
        out.add(s.name);
        grew = true;
      }
    }
  }
  return [...out];
}

/** Services in start order (or reverse for stopping), by the model when there is one, else by name. */
function ordered(project: ComposeProject | null, containers: ComposeContainer[], reverse: boolean): ComposeContainer[][] {
  const levels = project ? dependencyLevels(project) : [[...new Set(containers.map((c) => c.service))]];
  const known = levels.flat();
  const rest = containers.filter((c) => !known.includes(c.service));
  const groups = [...levels.map((names) => containers.filter((c) => names.includes(c.service))), rest].filter((g) => g.length > 0);
  return reverse ? groups.reverse() : groups;
}

export async function composeAction(deps: ComposeDeps, name: string, project: ComposeProject | null, p: ComposeActionParams, steps: StepReporter): Promise<void> {
  if (project && p.services) for (const s of p.services) if (!project.services[s]) throw new EngineError('E_COMPOSE_INVALID', `no such service: ${s}`);
  const containers = byService((await projectContainers(deps, name)).filter((c) => !c.oneoff), p.action === 'restart' ? withRestartingDependents(project, p.services) : p.services);
  const timeout = p.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {};
  const each = async (reverse: boolean, fn: (c: ComposeContainer, resource: string) => Promise<void>): Promise<void> => {
    for (const group of ordered(project, containers, reverse)) await Promise.all(group.map((c) => fn(c, `Container ${c.name}`)));
  };
  switch (p.action) {
    case 'start':
      for (const group of ordered(project, containers, false)) {
        const current = async (dep: string): Promise<ComposeContainer[]> => (await projectContainers(deps, name)).filter((c) => c.service === dep && !c.oneoff);
        for (const service of new Set(group.map((c) => c.service))) {
          const s = project?.services[service];
          if (project && s) await awaitDependencies(deps, project, s, () => null, steps, current);
        }
        await Promise.all(group.filter((c) => c.state !== 'running').map((c) => startContainer(deps, c.id, `Container ${c.name}`, steps)));
      }
      return;
    case 'stop':
      return each(true, (c) => stopContainer(deps, c, steps, p.timeoutSeconds));
    case 'restart':
      return each(false, async (c, r) => {
        steps.step(r, 'Restarting');
        await deps.call('containers:restart', { id: c.id, ...timeout });
        steps.step(r, 'Started');
      });
    case 'kill':
      return each(true, async (c, r) => {
        if (c.state !== 'running') return;
        steps.step(r, 'Killing');
        await deps.call('containers:kill', { id: c.id, ...(p.signal ? { signal: p.signal } : {}) });
        steps.step(r, 'Killed');
      });
    case 'rm':
      return each(true, async (c) => {
        if ((c.state === 'running' || c.state === 'paused') && !p.force) return;
        await removeContainer(deps, c, steps, true, { volumes: p.volumes === true, ...timeout });
      });
    case 'pause':
      return each(false, async (c, r) => {
        if (c.state !== 'running') return;
        steps.step(r, 'Pausing');
        await deps.call('containers:pause', { id: c.id });
        steps.step(r, 'Paused');
      });
    case 'unpause':
      return each(false, async (c, r) => {
        if (c.state !== 'paused') return;
        steps.step(r, 'Unpausing');
        await deps.call('containers:unpause', { id: c.id });
        steps.step(r, 'Unpaused');
      });
  }
}

export async function composeBuild(deps: ComposeDeps, project: ComposeProject, services: string[] | undefined, steps: StepReporter, opts: { noCache?: boolean; pull?: boolean }): Promise<void> {
  for (const s of selectServices(project, services, true)) if (s.build) await buildService(deps, project, s, steps, opts);
}

export async function composePull(deps: ComposeDeps, project: ComposeProject, services: string[] | undefined, steps: StepReporter, ignoreFailures: boolean): Promise<void> {
  for (const s of selectServices(project, services, true)) {
    // compose pull skips services that are built and name no image.
    if (!s.image || s.pullPolicy === 'build') {
      if (s.build) steps.step(s.name, 'Skipped', 'built, not pulled');
      continue;
    }
    try {
      await pullImage(deps, s, s.image, steps);
    } catch (err) {
      if (!ignoreFailures) throw err;
    }
  }
}

export async function composePush(deps: ComposeDeps, project: ComposeProject, services: string[] | undefined, steps: StepReporter): Promise<void> {
  for (const s of selectServices(project, services, true)) {
    if (!s.build || !s.image) continue;
    const resource = `Image ${s.image}`;
    steps.step(resource, 'Pushing');
    try {
      await awaitTask(deps, () => deps.call('images:push', { reference: s.image as string }), steps.signal);
    } catch (err) {
      steps.step(resource, 'Error', (err as Error).message);
      throw err;
    }
    steps.step(resource, 'Pushed');
  }
}

/** `docker compose ls`: projects by their containers' labels, with a state count. */
export async function composeList(deps: ComposeDeps, all: boolean): Promise<ComposeProjectSummary[]> {
  const byProject = new Map<string, ComposeContainer[]>();
  for (const c of (await deps.call('containers:list', { all: true })).map(asComposeContainer)) {
    if (!c) continue;
    byProject.set(c.project, [...(byProject.get(c.project) ?? []), c]);
  }
  const out: ComposeProjectSummary[] = [];
  for (const [name, cs] of [...byProject].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const counts = new Map<string, number>();
    for (const c of cs) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
    if (!all && !counts.has('running')) continue;
    const first = cs[0]?.labels ?? {};
    out.push({ name, status: [...counts].sort(([a], [b]) => (a < b ? 1 : -1)).map(([s, n]) => `${s}(${n})`).join(', '), configFiles: (first[LABEL.configFiles] ?? '').split(',').filter(Boolean), workingDir: first[LABEL.workingDir] ?? '' });
  }
  return out;
}

/** `compose run`: dependencies up (unless noDeps), then a one-off container, created for the client to start and attach to. */
export async function composeRun(deps: ComposeDeps, project: ComposeProject, p: ComposeRunParams, steps: StepReporter): Promise<ContainerSummary> {
  const s = project.services[p.service];
  if (!s) throw new EngineError('E_COMPOSE_INVALID', `no such service: ${p.service}`);
  const depNames = Object.keys(s.dependsOn).filter((d) => project.services[d]);
  if (!p.noDeps && depNames.length > 0) {
    await composeUp(deps, project, { services: depNames }, steps);
    await awaitDependencies(deps, project, s, () => null, steps, async (dep) => (await projectContainers(deps, project.name)).filter((c) => c.service === dep && !c.oneoff));
  }
  const imageIds = await ensureImages(deps, project, [s], steps, {});
  createBindSources(s);
  const name = p.name ?? `${project.name}-${s.name}-run-${crypto.randomBytes(6).toString('hex')}`;
  const { run } = containerPlan({ project, service: s, number: 1, name, image: serviceImage(project.name, s), imageId: imageIds.get(s.name) ?? '', oneoff: true, publishPorts: p.servicePorts === true });
  if (p.command && p.command.length > 0) run.command = p.command;
  if (p.entrypoint) run.entrypoint = p.entrypoint;
  if (p.env) run.env = [...(run.env ?? []), ...p.env];
  if (p.labels) run.labels = { ...run.labels, ...p.labels };
  if (p.user) run.user = p.user;
  if (p.workdir) run.workdir = p.workdir;
  if (p.publish && p.publish.length > 0) run.ports = [...(run.ports ?? []), ...p.publish];
  if (p.volumes && p.volumes.length > 0) run.volumes = p.volumes;
  if (p.rm) run.autoRemove = true;
  run.tty = p.tty ?? run.tty ?? false;
  run.interactive = p.interactive ?? run.interactive ?? false;
  // A one-off container restarts never (compose run ignores the service's restart policy).
  delete run.restart;
  const created = await deps.call('containers:create', run);
  return created;
}

