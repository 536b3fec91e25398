// docker ps --filter semantics over Cove's container summaries (the Docker
// API's `filters` parameter): every named filter must match, any value of
// one filter may.
import type { ContainerSummary } from '../api/contract.js';
import { DockerHttpError } from './docker-http.js';

type Test = (c: ContainerSummary, value: string) => boolean;

const labelMatch = (labels: Record<string, string> | undefined, value: string): boolean => {
  const eq = value.indexOf('=');
  if (eq < 0) return labels?.[value] !== undefined;
  return labels?.[value.slice(0, eq)] === value.slice(eq + 1);
};

const dockerStatus = (c: ContainerSummary): string => (c.state === 'exited' && c.status.startsWith('Restarting') ? 'restarting' : c.state);

const TESTS: Record<string, Test> = {
  id: (c, v) => c.id.startsWith(v),
  name: (c, v) => c.name.includes(v.replace(/^\//, '')),
  label: (c, v) => labelMatch(c.labels, v),
  status: (c, v) => dockerStatus(c) === v,
  ancestor: (c, v) => c.image === v || c.imageId === v || c.imageId.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, '')) || c.image.split(':')[0] === v,
  exited: (c, v) => c.state === 'exited' && String(c.exitCode) === v,
  health: (c, v) => {
    if (!['starting', 'healthy', 'unhealthy', 'none'].includes(v)) throw new DockerHttpError(400, `Unrecognised filter value for health: ${v}`);
    return (c.health ?? 'none') === v;
  },
};

export function filterContainers(list: ContainerSummary[], filters: Map<string, string[]>): ContainerSummary[] {
  for (const key of filters.keys()) {
    // docker's other filters (network, volume, before, since, ...) are refused, never silently ignored.
    if (!TESTS[key]) throw new DockerHttpError(400, `invalid filter '${key}' (Cove filters containers by ${Object.keys(TESTS).join(', ')})`);
  }
  return list.filter((c) =>
    [...filters].every(([key, values]) => {
      const test = TESTS[key];
      // docker ANDs label filters (moby's MatchKVList): compose asks for project and service at once.
      if (key === 'label') return values.every((v) => labelMatch(c.labels, v));
      return !test || values.length === 0 || values.some((v) => test(c, v));
    }),
  );
}
