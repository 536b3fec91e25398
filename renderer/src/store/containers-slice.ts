import type { ContainerSummary, CoveApi } from '../../../app/api/contract';
import { latestOnly } from './latest';
import type { SliceCreator } from './types';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ContainersSlice {
  containers: ContainerSummary[];
  containersStatus: LoadStatus;
  showAll: boolean;
  fetchContainers(): Promise<void>;
  setShowAll(showAll: boolean): void;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
}

export const containerTaskKey = (id: string): string => `container:${id}`;

export const createContainersSlice =
  (api: CoveApi): SliceCreator<ContainersSlice> =>
  (set, get) => {
    const begin = latestOnly();

    // Actions answer with the container's new summary; applying it at once
    // keeps the row right even before the engine's event triggers a re-fetch.
    const apply = (summary: ContainerSummary): void => {
      const visible = get().showAll || summary.state === 'running';
      set((state) => {
        const others = state.containers.filter((c) => c.id !== summary.id);
        if (!visible) return { containers: others };
        const index = state.containers.findIndex((c) => c.id === summary.id);
        if (index < 0) return { containers: [summary, ...others] };
        const next = state.containers.slice();
        next[index] = summary;
        return { containers: next };
      });
    };

    return {
      containers: [],
      containersStatus: 'idle',
      showAll: true,
      fetchContainers: async () => {
        const isLatest = begin();
        if (get().containersStatus !== 'ready') set({ containersStatus: 'loading' });
        try {
          const containers = await api.call('containers:list', { all: get().showAll });
          if (isLatest()) set({ containers, containersStatus: 'ready' });
        } catch (reason) {
          if (!isLatest()) return;
          if (get().containersStatus !== 'ready') set({ containersStatus: 'error' });
          // A dropped connection has its own indicator; a banner would repeat it.
          if (get().connection === 'open') get().reportError(reason);
        }
      },
      setShowAll: (showAll) => {
        if (get().showAll === showAll) return;
        set({ showAll });
        void get().fetchContainers();
      },
      startContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Starting', async () => {
          apply(await api.call('containers:start', { id }));
        }),
      stopContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Stopping', async () => {
          apply(await api.call('containers:stop', { id }));
        }),
      removeContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Removing', async () => {
          await api.call('containers:remove', { id, force: false });
          set((state) => ({ containers: state.containers.filter((c) => c.id !== id) }));
        }),
    };
  };
