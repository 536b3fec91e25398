// `compose up`: check everything that can be checked before creating
// anything (model, external resources, port conflicts), then images,
// networks and volumes, then each service once its dependencies meet their
// condition, services without a path between them in parallel. A failing
// service is marked and its dependents are not started; what started stays,
// as docker compose leaves it.
import type { ComposeContainer, ComposeUpParams } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import { containerPlan, createBindSources } from './compose-container-options.js';
import type { ComposeDeps, StepReporter } from './compose-deps.js';
import { configHash, containerName, LABEL } from './compose-labels.js';
import { selectServices } from './compose-order.js';
import { checkPorts, portClaims } from './compose-ports.js';
import { projectContainers } from './compose-project.js';
import { checkResources, ensureNetworks, ensureVolumes } from './compose-resources.js';
import { ensureImages } from './compose-images.js';
import { awaitDependencies, removeContainer, startContainer } from './compose-start.js';
import { waitHealthy } from './compose-wait.js';
import type { ComposeProject, ComposeService } from './model/compose-types.js';

type Replica = { number: number; existing?: ComposeContainer; action: 'create' | 'recreate' | 'keep' };

interface ServicePlan {
  service: ComposeService;
  replicas: Replica[];
  surplus: ComposeContainer[];
}

function plan(s: ComposeService, existing: ComposeContainer[], p: ComposeUpParams, imageIds: Map<string, string> | null): ServicePlan {
  const want = p.scale?.[s.name] ?? s.replicas;
  const mine = existing.filter((c) => c.service === s.name && !c.oneoff).sort((a, b) => a.number - b.number);
  const kept = mine.slice(0, want);
  const replicas: Replica[] = kept.map((c) => {
    const changed = c.labels?.[LABEL.configHash] !== configHash(s) || (imageIds !== null && c.labels?.[LABEL.image] !== imageIds.get(s.name));
    return { number: c.number, existing: c, action: !p.noRecreate && (p.forceRecreate || changed) ? 'recreate' : 'keep' };
  });
  const used = new Set(kept.map((c) => c.number));
  for (let n = 1; replicas.length < want; n++) if (!used.has(n)) replicas.push({ number: n, action: 'create' });
  return { service: s, replicas, surplus: mine.slice(want) };
}

export async function composeUp(deps: ComposeDeps, project: ComposeProject, p: ComposeUpParams, steps: StepReporter): Promise<void> {
  for (const name of Object.keys(p.scale ?? {})) if (!project.services[name]) throw new EngineError('E_COMPOSE_INVALID', `no such service: ${name}`);
  const services = selectServices(project, p.services, p.noDeps);
  const existing = await projectContainers(deps, project.name);
  // Checked before anything is created: external resources and host ports.
  await checkResources(deps, project, services);
  const draft = services.map((s) => plan(s, existing, p, null));
  const kept = new Set<string>();
  for (const d of draft) for (const r of d.replicas) if (r.action === 'keep' && r.existing?.state === 'running') for (const port of r.existing.ports ?? []) kept.add(`${d.service.name}:${port.hostPort}/${port.protocol}`);
  const replaced = new Set(draft.flatMap((d) => [...d.replicas.filter((r) => r.action !== 'keep').map((r) => r.existing?.id), ...d.surplus.map((c) => c.id)]));
  const others = (await deps.call('containers:list', { all: false })).filter((c) => !replaced.has(c.id));
  await checkPorts(portClaims(draft.map((d) => ({ service: d.service, replicas: d.replicas.length }))), others, kept);

  const imageIds = await ensureImages(deps, project, services, steps, { ...(p.build ? { build: true } : {}), ...(p.pull ? { pull: p.pull } : {}) });
  const plans = new Map(services.map((s) => [s.name, plan(s, existing, p, imageIds)]));
  await ensureNetworks(deps, project, services, steps);
  await ensureVolumes(deps, project, services, steps);

  const orphans = existing.filter((c) => !project.services[c.service] && !c.oneoff);
  if (p.removeOrphans) for (const c of orphans) await removeContainer(deps, c, steps, true);
  else if (orphans.length > 0) steps.step(`Project ${project.name}`, 'Warning', `found orphan containers (${orphans.map((c) => c.name).join(', ')}) for this project; run with --remove-orphans to remove them`);

  const started = new Map<string, Promise<ComposeContainer[]>>();
  const failures: string[] = [];
  const bringUp = (name: string): Promise<ComposeContainer[]> => {
    let pending = started.get(name);
    if (!pending) {
      const sp = plans.get(name) as ServicePlan;
      pending = (async () => {
        await awaitDependencies(deps, project, sp.service, (dep) => (plans.has(dep) ? bringUp(dep) : null), steps);
        return serviceUp(deps, project, sp, imageIds.get(name) ?? '', p, steps);
      })();
      pending.catch((err: unknown) => failures.push(`service "${name}": ${(err as Error).message}`));
      started.set(name, pending);
    }
    return pending;
  };
  const results = await Promise.allSettled(services.map((s) => bringUp(s.name)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // The first failing service is the cause; its dependents only repeat it.
    const first = failures.find((f) => !f.includes('dependency failed')) ?? failures[0];
    throw new EngineError((failed.reason as EngineError).code ?? 'E_INTERNAL', first ?? (failed.reason as Error).message);
  }
  if (p.wait && !p.noStart) {
    const all = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    await Promise.all(
      all.map(async (c) => {
        steps.step(`Container ${c.name}`, 'Waiting');
        await waitHealthy(deps, c.id, c.name, steps.signal);
        steps.step(`Container ${c.name}`, 'Healthy');
      }),
    );
  }
}

async function serviceUp(deps: ComposeDeps, project: ComposeProject, sp: ServicePlan, imageId: string, p: ComposeUpParams, steps: StepReporter): Promise<ComposeContainer[]> {
  const s = sp.service;
  for (const c of sp.surplus) await removeContainer(deps, c, steps, true);
  createBindSources(s);
  // Replicas come up together, as docker compose creates them.
  const one = async (r: Replica): Promise<ComposeContainer | undefined> => {
    const name = containerName(project.name, s, r.number);
    const resource = `Container ${name}`;
    try {
      let id: string;
      if (r.action === 'keep' && r.existing) {
        id = r.existing.id;
        if (r.existing.state === 'running') steps.step(resource, 'Running');
        else if (!p.noStart) await startContainer(deps, id, resource, steps);
      } else {
        if (r.action === 'recreate' && r.existing) {
          steps.step(resource, 'Recreate');
          // Stopped with its grace period first, as compose does, so a database can shut down cleanly.
          if (r.existing.state === 'running' || r.existing.state === 'paused') await deps.call('containers:stop', { id: r.existing.id, ...(s.stopGracePeriodSeconds !== undefined ? { timeoutSeconds: s.stopGracePeriodSeconds } : {}) });
          await deps.call('containers:remove', { id: r.existing.id, force: true });
        } else steps.step(resource, 'Creating');
        const { run } = containerPlan({ project, service: s, number: r.number, name, image: imageIdOrRef(project, s), imageId, serviceContainer: (svc) => containerName(project.name, project.services[svc] ?? s, 1) });
        const created = await deps.call('containers:create', run);
        id = created.id;
        steps.step(resource, r.action === 'recreate' ? 'Recreated' : 'Created');
        if (!p.noStart) await startContainer(deps, id, resource, steps);
      }
      const now = (await deps.call('containers:list', { all: true })).find((c) => c.id === id);
      return now ? { ...now, project: project.name, service: s.name, number: r.number, oneoff: false } : undefined;
    } catch (err) {
      steps.step(resource, 'Error', (err as Error).message);
      throw err;
    }
  };
  const results = await Promise.allSettled(sp.replicas.map(one));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const out = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
  return out;
}

function imageIdOrRef(project: ComposeProject, s: ComposeService): string {
  return s.image ?? `${project.name}-${s.name}`;
}
