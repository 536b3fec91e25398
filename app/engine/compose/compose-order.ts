// Which services an operation touches and in which order: depends_on makes
// a graph; `up` and `start` walk it from the leaves, `stop` and `down` back.
import { EngineError } from '../errors.js';
import type { ComposeProject, ComposeService } from './model/compose-types.js';

/** The named services (all when none), plus what they depend on unless `noDeps`. */
export function selectServices(project: ComposeProject, names: string[] | undefined, noDeps = false): ComposeService[] {
  const wanted = names && names.length > 0 ? names : Object.keys(project.services);
  const picked = new Set<string>();
  const visit = (name: string, from?: string): void => {
    if (picked.has(name)) return;
    const s = project.services[name];
    if (!s) {
      if (from && project.services[from]?.dependsOn[name]?.required === false) return;
      throw new EngineError('E_COMPOSE_INVALID', from ? `service "${from}" depends on undefined service "${name}"` : `no such service: ${name}`);
    }
    picked.add(name);
    if (!noDeps) for (const dep of Object.keys(s.dependsOn)) visit(dep, name);
  };
  for (const n of wanted) visit(n);
  return inDependencyOrder(project).filter((s) => picked.has(s.name));
}

/** Every service after those it depends on; a cycle is an error naming it. */
export function inDependencyOrder(project: ComposeProject): ComposeService[] {
  const out: ComposeService[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: ComposeService, trail: string[]): void => {
    const st = state.get(s.name);
    if (st === 'done') return;
    if (st === 'visiting') throw new EngineError('E_COMPOSE_INVALID', `dependency cycle detected: ${[...trail.slice(trail.indexOf(s.name)), s.name].join(' -> ')}`);
    state.set(s.name, 'visiting');
    for (const dep of Object.keys(s.dependsOn).sort()) {
      const d = project.services[dep];
      if (d) visit(d, [...trail, s.name]);
    }
    state.set(s.name, 'done');
    out.push(s);
  };
  for (const name of Object.keys(project.services).sort()) visit(project.services[name] as ComposeService, []);
  return out;
}

/**
 * Services grouped by depth: those without dependencies first, then those
 * depending only on earlier groups. Services of one group start (or, in
 * reverse, stop) together, as docker compose walks its graph.
 */
export function dependencyLevels(project: ComposeProject): string[][] {
  const depth = new Map<string, number>();
  for (const s of inDependencyOrder(project)) {
    const deps = Object.keys(s.dependsOn).filter((d) => project.services[d]);
    depth.set(s.name, deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => depth.get(d) ?? 0)));
  }
  const levels: string[][] = [];
  for (const [name, d] of depth) (levels[d] ??= []).push(name);
  return levels.filter((l) => l.length > 0);
}
