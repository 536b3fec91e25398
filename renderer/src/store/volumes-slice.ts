import type { CoveApi, VolumeSummary } from '../../../app/api/contract';
import type { LoadStatus } from './containers-slice';
import type { SliceCreator } from './types';

export interface VolumesSlice {
  volumes: VolumeSummary[];
  volumesStatus: LoadStatus;
  fetchVolumes(): Promise<void>;
  createVolume(name: string): Promise<void>;
  removeVolume(name: string): Promise<void>;
  /** For the confirmation dialog: rejects with the engine error instead of reporting it. */
  removeVolumeNow(name: string): Promise<void>;
  pruneVolumes(): Promise<void>;
  /** Fresh facts (users, size) for the removal confirmation. */
  inspectVolume(name: string): Promise<VolumeSummary>;
}

export const createVolumesSlice =
  (api: CoveApi): SliceCreator<VolumesSlice> =>
  (set, get) => ({
    volumes: [],
    volumesStatus: 'idle',
    fetchVolumes: async () => {
      if (get().volumesStatus !== 'ready') set({ volumesStatus: 'loading' });
      try {
        set({ volumes: await api.call('volumes:list', {}), volumesStatus: 'ready' });
      } catch (reason) {
        if (get().volumesStatus !== 'ready') set({ volumesStatus: 'error' });
        if (get().connection === 'open') get().reportError(reason);
      }
    },
    createVolume: (name) =>
      get().runTask('volumes:create', 'Creating', async () => {
        await api.call('volumes:create', name ? { name } : {});
        await get().fetchVolumes();
      }),
    removeVolume: (name) =>
      get().runTask(`volume:${name}`, 'Removing', async () => {
        await api.call('volumes:remove', { name, force: false });
        await get().fetchVolumes();
      }),
    inspectVolume: (name) => api.call('volumes:inspect', { name }),
    removeVolumeNow: async (name) => {
      await api.call('volumes:remove', { name, force: false });
      await get().fetchVolumes();
    },
    pruneVolumes: () =>
      get().runTask('volumes:prune', 'Pruning', async () => {
        await api.call('volumes:prune', {});
        await get().fetchVolumes();
      }),
  });
