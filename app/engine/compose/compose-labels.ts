// The labels docker compose writes on what it creates. Cove writes the same
// ones, with the same values, so `docker compose` (through Cove's Docker API),
// docker-compose 1.x and Cove each recognise the others' projects; see
// docker/compose pkg/api/labels.go.
import crypto from 'node:crypto';
import type { ComposeProject, ComposeService } from './model/compose-types.js';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  dependsOn: 'com.docker.compose.depends_on',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  image: 'com.docker.compose.image',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  replace: 'com.docker.compose.replace',
} as const;

/** The compose release whose behaviour and labels Cove follows (compose clients read it as the creator's version). */
export const COMPOSE_VERSION = '2.29.7';

/** docker compose v2 names: `<project>-<service>-<n>`, or `container_name`. */
export function containerName(project: string, service: ComposeService, n: number): string {
  return service.containerName ?? `${project}-${service.name}-${n}`;
}

/** The image a service runs: its `image`, else what compose v2 tags a build as, `<project>-<service>`. */
export function serviceImage(project: string, service: ComposeService): string {
  return service.image ?? `${project}-${service.name}`;
}

const HASH_IGNORES = ['build', 'pullPolicy', 'replicas', 'dependsOn', 'profiles', 'extensions'] as const satisfies ReadonlyArray<keyof ComposeService>;

/**
 * A service's config hash: what decides whether `up` recreates a container.
 * As docker compose's ServiceHash, it leaves out what does not change the
 * container itself (build, pull policy, replica count, depends_on, profiles).
 */
export function configHash(service: ComposeService): string {
  const rest: Partial<ComposeService> = { ...service };
  for (const k of HASH_IGNORES) delete rest[k];
  return crypto.createHash('sha256').update(stableJson(rest)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** compose's depends_on label: `name:condition:restart` joined by commas. */
export function dependsOnLabel(service: ComposeService): string {
  return Object.entries(service.dependsOn)
    .map(([name, d]) => `${name}:${d.condition}:${d.restart}`)
    .join(',');
}

export function projectLabels(project: ComposeProject): Record<string, string> {
  return { [LABEL.project]: project.name, [LABEL.version]: COMPOSE_VERSION };
}

export function containerLabels(project: ComposeProject, service: ComposeService, n: number, oneoff: boolean, imageId: string): Record<string, string> {
  return {
    ...service.labels,
    ...projectLabels(project),
    [LABEL.service]: service.name,
    [LABEL.number]: String(n),
    [LABEL.oneoff]: oneoff ? 'True' : 'False',
    [LABEL.configHash]: configHash(service),
    [LABEL.dependsOn]: dependsOnLabel(service),
    [LABEL.workingDir]: project.workingDir,
    [LABEL.configFiles]: project.configFiles.join(','),
    [LABEL.image]: imageId,
  };
}
