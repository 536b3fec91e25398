// Semantic checks on the resolved model, before anything is created: every
// service, network and volume a service names exists (and is enabled by the
// active profiles), depends_on has no cycle, and no two ports claim the same
// host port.
import type { ComposePort, ComposeProject, ComposeService } from './compose-types.js';
import { publishedPorts } from './ports.js';
import { invalid, type ModelPath } from './yaml-file.js';

export interface CheckContext {
  /** Every service of the files, before profiles: name -> its profiles. */
  allServices: Record<string, string[]>;
  where: (p: ModelPath) => string;
  /** Whether some file holds this path (a list-syntax entry is found by index instead). */
  has: (p: ModelPath) => boolean;
  warn: (message: string) => void;
}

function referenced(project: ComposeProject, from: string, target: string, via: ModelPath, ctx: CheckContext, required = true): boolean {
  if (project.services[target]) return true;
  const profiles = ctx.allServices[target];
  const why = profiles
    ? `service "${from}" depends on service "${target}", which is disabled by its profiles (${profiles.join(', ')}): enable one with --profile`
    : `service "${from}" depends on undefined service "${target}"`;
  if (!required) {
    ctx.warn(`${why}; it is not required, ignored`);
    return false;
  }
  throw invalid(`${ctx.where(via)}: ${why}`);
}

function checkCycles(project: ComposeProject): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      throw invalid(`dependency cycle detected: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of Object.keys(project.services[name]?.dependsOn ?? {}).sort()) if (project.services[dep]) visit(dep);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(project.services).sort()) visit(name);
}

function overlaps(a: ComposePort, b: ComposePort): boolean {
  const any = (ip?: string) => ip === undefined || ip === '' || ip === '0.0.0.0' || ip === '::';
  return a.protocol === b.protocol && (any(a.hostIp) || any(b.hostIp) || a.hostIp === b.hostIp);
}

function checkPorts(project: ComposeProject): void {
  const claims = new Map<number, Array<{ service: string; port: ComposePort }>>();
  for (const svc of Object.values(project.services)) {
    for (const port of svc.ports) {
      for (const host of publishedPorts(port)) {
        const earlier = claims.get(host) ?? [];
        const clash = earlier.find((c) => overlaps(c.port, port));
        if (clash) {
          const who = clash.service === svc.name ? `service "${svc.name}" twice` : `services "${clash.service}" and "${svc.name}"`;
          throw invalid(`host port ${host}/${port.protocol} is published by ${who} (container ports ${clash.port.target} and ${port.target}): each published host port can be bound once`);
        }
        earlier.push({ service: svc.name, port });
        claims.set(host, earlier);
      }
    }
  }
}

function checkService(project: ComposeProject, svc: ComposeService, links: string[], ctx: CheckContext): void {
  const at = ['services', svc.name];
  links.forEach((link, i) => referenced(project, svc.name, link.split(':')[0] as string, [...at, 'links', i], ctx));
  for (const [dep, cfg] of Object.entries(svc.dependsOn)) {
    if (!referenced(project, svc.name, dep, [...at, 'depends_on', dep], ctx, cfg.required)) delete svc.dependsOn[dep];
  }
  const mode = svc.networkMode;
  if (mode?.startsWith('service:')) referenced(project, svc.name, mode.slice(8), [...at, 'network_mode'], ctx);
  Object.keys(svc.networks).forEach((net, i) => {
    const byName = [...at, 'networks', net];
    if (!project.networks[net]) throw invalid(`${ctx.where(ctx.has(byName) ? byName : [...at, 'networks', i])}: service "${svc.name}" refers to undefined network ${net}`);
  });
  svc.volumes.forEach((m, i) => {
    if (m.type === 'volume' && m.source !== undefined && !project.volumes[m.source]) {
      throw invalid(`${ctx.where([...at, 'volumes', i])}: service "${svc.name}" refers to undefined volume ${m.source}: declare it under the top-level volumes:`);
    }
  });
}

/** Throws E_COMPOSE_INVALID on the first problem; drops optional dependencies that are absent (with a warning). */
export function checkProject(project: ComposeProject, links: Record<string, string[]>, ctx: CheckContext): void {
  for (const svc of Object.values(project.services)) checkService(project, svc, links[svc.name] ?? [], ctx);
  checkCycles(project);
  checkPorts(project);
}
