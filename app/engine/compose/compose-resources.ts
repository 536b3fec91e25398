// Project networks and volumes: external ones must exist before anything is
// created; the others are created once, labelled as docker compose labels
// them, and `down` removes exactly those.
import type { NetworkSummary } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { ComposeDeps, StepReporter } from './compose-deps.js';
import { LABEL, projectLabels } from './compose-labels.js';
import type { ComposeProject, ComposeService } from './model/compose-types.js';

export function usedNetworks(services: ComposeService[]): string[] {
  const keys = new Set<string>();
  for (const s of services) if (!s.networkMode) for (const k of Object.keys(s.networks)) keys.add(k);
  return [...keys].sort();
}

export function usedVolumes(services: ComposeService[]): string[] {
  const keys = new Set<string>();
  for (const s of services) for (const m of s.volumes) if (m.type === 'volume' && m.source) keys.add(m.source);
  return [...keys].sort();
}

async function networkExists(deps: ComposeDeps, name: string): Promise<NetworkSummary | null> {
  return deps.call('networks:inspect', { name }).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'E_NETWORK_NOT_FOUND') return null;
    throw err;
  });
}

async function volumeExists(deps: ComposeDeps, name: string): Promise<boolean> {
  return deps.call('volumes:inspect', { name }).then(
    () => true,
    (err: unknown) => {
      if ((err as { code?: string }).code === 'E_VOLUME_NOT_FOUND') return false;
      throw err;
    },
  );
}

/** Before anything is created: every external network and volume exists, and no same-named network belongs to another project. */
export async function checkResources(deps: ComposeDeps, project: ComposeProject, services: ComposeService[]): Promise<void> {
  for (const key of usedNetworks(services)) {
    const n = project.networks[key];
    if (!n) throw new EngineError('E_COMPOSE_INVALID', `undefined network ${key}`);
    const found = await networkExists(deps, n.name);
    if (n.external && !found) throw new EngineError('E_NETWORK_NOT_FOUND', `network ${n.name} declared as external, but could not be found`);
  }
  for (const key of usedVolumes(services)) {
    const v = project.volumes[key];
    if (!v) throw new EngineError('E_COMPOSE_INVALID', `undefined volume ${key}`);
    if (v.external && !(await volumeExists(deps, v.name))) throw new EngineError('E_VOLUME_NOT_FOUND', `external volume "${v.name}" not found`);
  }
}

export async function ensureNetworks(deps: ComposeDeps, project: ComposeProject, services: ComposeService[], steps: StepReporter): Promise<void> {
  for (const key of usedNetworks(services)) {
    const n = project.networks[key];
    if (!n || n.external || (await networkExists(deps, n.name))) continue;
    const resource = `Network ${n.name}`;
    steps.step(resource, 'Creating');
    await deps.call('networks:create', {
      name: n.name,
      labels: { ...n.labels, ...projectLabels(project), [LABEL.network]: key },
      ...(n.internal ? { internal: true } : {}),
      ...(n.subnet ? { subnet: n.subnet } : {}),
      ...(n.gateway ? { gateway: n.gateway } : {}),
    });
    steps.step(resource, 'Created');
  }
}

export async function ensureVolumes(deps: ComposeDeps, project: ComposeProject, services: ComposeService[], steps: StepReporter): Promise<void> {
  for (const key of usedVolumes(services)) {
    const v = project.volumes[key];
    if (!v || v.external || (await volumeExists(deps, v.name))) continue;
    const resource = `Volume "${v.name}"`;
    steps.step(resource, 'Creating');
    await deps.call('volumes:create', { name: v.name, labels: { ...v.labels, ...projectLabels(project), [LABEL.volume]: key } });
    steps.step(resource, 'Created');
  }
}
