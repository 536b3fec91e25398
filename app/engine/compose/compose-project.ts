// From a ComposeTarget to the project: load it (files, interpolation,
// validation), or, when only a name is given and there are no files, know
// the project by its containers' labels alone, as `docker compose -p NAME`.
import path from 'node:path';
import type { ComposeContainer, ComposeTarget, ContainerSummary } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { ComposeDeps } from './compose-deps.js';
import { LABEL } from './compose-labels.js';
import type { ComposeLoadOptions, ComposeLoadResult, ComposeProject } from './model/compose-types.js';

export function loadOptions(t: ComposeTarget): ComposeLoadOptions {
  const cwd = t.cwd ?? t.projectDirectory ?? process.cwd();
  if (!path.isAbsolute(cwd)) throw new EngineError('E_INVALID_ARGUMENT', `the working directory ${cwd} is not absolute`);
  return {
    ...(t.files && t.files.length > 0 ? { files: t.files.map((f) => path.resolve(cwd, f)) } : {}),
    ...(t.projectDirectory ? { projectDirectory: path.resolve(cwd, t.projectDirectory) } : {}),
    ...(t.projectName ? { projectName: t.projectName } : {}),
    ...(t.profiles && t.profiles.length > 0 ? { profiles: t.profiles } : {}),
    ...(t.envFiles && t.envFiles.length > 0 ? { envFiles: t.envFiles.map((f) => path.resolve(cwd, f)) } : {}),
    environment: t.environment ?? {},
    cwd,
  };
}

/** `services`: named on the command line, which enables their profiles. */
export function loadProject(deps: ComposeDeps, t: ComposeTarget, services?: string[]): Promise<ComposeLoadResult> {
  return deps.load({ ...loadOptions(t), ...(services && services.length > 0 ? { enabledServices: services } : {}) });
}

/** The project's model, or only its name when `-p` names it and no file is there (or the files do not load). */
export async function projectOrName(deps: ComposeDeps, t: ComposeTarget): Promise<{ name: string; project: ComposeProject | null }> {
  // A name and nothing to find files by (the app's Projects page): never the engine's own working directory.
  const noFiles = !(t.files && t.files.length > 0) && !t.cwd && !t.projectDirectory;
  if (t.projectName && noFiles) return { name: t.projectName, project: null };
  try {
    const { project } = await loadProject(deps, t);
    return { name: project.name, project };
  } catch (err) {
    if (t.projectName && !(t.files && t.files.length > 0)) return { name: t.projectName, project: null };
    throw err;
  }
}

export function asComposeContainer(c: ContainerSummary): ComposeContainer | null {
  const l = c.labels ?? {};
  const project = l[LABEL.project];
  const service = l[LABEL.service];
  if (!project || !service) return null;
  return { ...c, project, service, number: Number(l[LABEL.number] ?? '1') || 1, oneoff: l[LABEL.oneoff] === 'True' };
}

/** Every container of the project (stopped ones and one-off ones too), by number. */
export async function projectContainers(deps: ComposeDeps, name: string): Promise<ComposeContainer[]> {
  const all = await deps.call('containers:list', { all: true });
  return all
    .map(asComposeContainer)
    .filter((c): c is ComposeContainer => c !== null && c.project === name)
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.number - b.number));
}
