import type { ContainerState, ContainerSummary } from '../../../app/api/contract';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

export type StateFilter = 'all' | ContainerState;

export type ListItem = { kind: 'group'; project: string; count: number; running: number } | { kind: 'container'; container: ContainerSummary };

/** Labels, once the engine's summaries carry them (RunOptions has them already). */
export function labelsOf(c: ContainerSummary): Record<string, string> {
  const labels = (c as ContainerSummary & { labels?: unknown }).labels;
  return typeof labels === 'object' && labels !== null ? (labels as Record<string, string>) : {};
}

export function matches(c: ContainerSummary, query: string, state: StateFilter): boolean {
  if (state !== 'all' && c.state !== state) return false;
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q) || c.id.startsWith(q) || c.command.join(' ').toLowerCase().includes(q);
}

/**
 * The flat list the virtualized table renders: containers of one compose
 * project under a group header (as Docker Desktop shows them), the rest
 * after, each in the engine's order.
 */
export function listItems(containers: ContainerSummary[], query: string, state: StateFilter): ListItem[] {
  const shown = containers.filter((c) => matches(c, query, state));
  const groups = new Map<string, ContainerSummary[]>();
  const loose: ContainerSummary[] = [];
  for (const c of shown) {
    const project = labelsOf(c)[COMPOSE_PROJECT_LABEL];
    if (project) groups.set(project, [...(groups.get(project) ?? []), c]);
    else loose.push(c);
  }
  const items: ListItem[] = [];
  for (const [project, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    items.push({ kind: 'group', project, count: members.length, running: members.filter((m) => m.state === 'running').length });
    for (const container of members) items.push({ kind: 'container', container });
  }
  for (const container of loose) items.push({ kind: 'container', container });
  return items;
}
