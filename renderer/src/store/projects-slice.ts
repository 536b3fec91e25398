import type { ComposeActionName, ComposeContainer, ComposeProjectSummary, ComposeTarget, CoveApi } from '../../../app/api/contract';
import type { LoadStatus } from './containers-slice';
import type { SliceCreator } from './types';

/** A compose project as the Projects page shows it: `compose ls` plus its containers (`compose ps -a`). */
export interface ProjectView {
  summary: ComposeProjectSummary;
  containers: ComposeContainer[];
}

export interface ProjectsSlice {
  projects: ProjectView[];
  projectsStatus: LoadStatus;
  /** The last compose task started from this page, per project ('' for a file being opened). */
  projectTasks: Record<string, string>;
  fetchProjects(): Promise<void>;
  /** `up -d` of a known project (or some of its services): its own files, directory and name. */
  projectUp(project: ComposeProjectSummary, services?: string[]): Promise<void>;
  projectAction(project: string, action: ComposeActionName, services?: string[]): Promise<void>;
  /** Rejects with the engine error, for the confirmation dialog. */
  projectDownNow(project: string, volumes: boolean): Promise<void>;
  /** Brings a compose file on the engine's host up; rejects with the engine's error (bad file, E_COMPOSE_INVALID). */
  openComposeFile(file: string): Promise<string>;
}

export const projectTaskKey = (name: string): string => `project:${name}`;

function dirname(file: string): string {
  const i = file.lastIndexOf('/');
  return i <= 0 ? '/' : file.slice(0, i);
}

export function projectTarget(p: ComposeProjectSummary): ComposeTarget {
  return { projectName: p.name, files: p.configFiles, projectDirectory: p.workingDir, cwd: p.workingDir };
}

export const createProjectsSlice =
  (api: CoveApi): SliceCreator<ProjectsSlice> =>
  (set, get) => {
    const track = (project: string, taskId: string) => set((s) => ({ projectTasks: { ...s.projectTasks, [project]: taskId } }));
    return {
      projects: [],
      projectsStatus: 'idle',
      projectTasks: {},
      fetchProjects: async () => {
        if (get().projectsStatus !== 'ready') set({ projectsStatus: 'loading' });
        try {
          const summaries = await api.call('compose:ls', { all: true });
          const projects = await Promise.all(
            summaries.map(async (summary) => ({ summary, containers: await api.call('compose:ps', { projectName: summary.name, all: true }) })),
          );
          projects.sort((a, b) => a.summary.name.localeCompare(b.summary.name));
          set({ projects, projectsStatus: 'ready' });
        } catch (reason) {
          if (get().projectsStatus !== 'ready') set({ projectsStatus: 'error' });
          if (get().connection === 'open') get().reportError(reason);
        }
      },
      projectUp: (project, services) =>
        get().runTask(projectTaskKey(project.name), 'Starting', async () => {
          const { taskId } = await api.call('compose:up', { ...projectTarget(project), ...(services ? { services } : {}) });
          track(project.name, taskId);
        }),
      projectAction: (project, action, services) =>
        get().runTask(projectTaskKey(project), action, async () => {
          const { taskId } = await api.call('compose:action', { projectName: project, action, ...(services ? { services } : {}) });
          track(project, taskId);
        }),
      projectDownNow: async (project, volumes) => {
        const { taskId } = await api.call('compose:down', { projectName: project, volumes });
        track(project, taskId);
      },
      openComposeFile: async (file) => {
        const { taskId } = await api.call('compose:up', { files: [file], cwd: dirname(file) });
        track('', taskId);
        return taskId;
      },
    };
  };
