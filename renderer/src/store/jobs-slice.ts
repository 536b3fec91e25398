import type { BuildParams, CoveApi, TaskProgress } from '../../../app/api/contract';
import type { SliceCreator } from './types';

/** The engine's long work (pulls, loads): the task centre and the pull dialog read it. */
export interface JobsSlice {
  jobs: TaskProgress[];
  fetchJobs(): Promise<void>;
  applyJob(task: TaskProgress): void;
  cancelJob(id: string): Promise<void>;
  /** Starts a pull; rejects with the engine's error so the dialog can show it. */
  pullImage(reference: string): Promise<string>;
  /** Starts a build (context and Dockerfile are paths on the engine's host); rejects with the engine's error. */
  buildImage(params: BuildParams): Promise<string>;
}

const newestFirst = (a: TaskProgress, b: TaskProgress): number => b.startedAt.localeCompare(a.startedAt);

export const createJobsSlice =
  (api: CoveApi): SliceCreator<JobsSlice> =>
  (set, get) => ({
    jobs: [],
    fetchJobs: async () => {
      try {
        const jobs = await api.call('tasks:list', {});
        set({ jobs: jobs.sort(newestFirst) });
      } catch (reason) {
        if (get().connection === 'open') get().reportError(reason);
      }
    },
    applyJob: (task) =>
      set((state) => {
        const others = state.jobs.filter((j) => j.id !== task.id);
        return { jobs: [task, ...others].sort(newestFirst) };
      }),
    cancelJob: (id) =>
      get().runTask(`job:${id}`, 'Cancelling', async () => {
        get().applyJob(await api.call('tasks:cancel', { id }));
      }),
    pullImage: async (reference) => {
      const { taskId } = await api.call('images:pull', { reference });
      return taskId;
    },
    buildImage: async (params) => {
      const { taskId } = await api.call('builder:build', params);
      return taskId;
    },
  });
