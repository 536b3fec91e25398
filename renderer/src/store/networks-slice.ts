import type { CoveApi, NetworkSummary } from '../../../app/api/contract';
import type { LoadStatus } from './containers-slice';
import type { SliceCreator } from './types';

export interface NetworksSlice {
  networks: NetworkSummary[];
  networksStatus: LoadStatus;
  fetchNetworks(): Promise<void>;
  createNetwork(options: { name: string; subnet?: string; internal?: boolean }): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  pruneNetworks(): Promise<void>;
}

export const createNetworksSlice =
  (api: CoveApi): SliceCreator<NetworksSlice> =>
  (set, get) => ({
    networks: [],
    networksStatus: 'idle',
    fetchNetworks: async () => {
      if (get().networksStatus !== 'ready') set({ networksStatus: 'loading' });
      try {
        set({ networks: await api.call('networks:list', {}), networksStatus: 'ready' });
      } catch (reason) {
        if (get().networksStatus !== 'ready') set({ networksStatus: 'error' });
        if (get().connection === 'open') get().reportError(reason);
      }
    },
    createNetwork: (options) =>
      get().runTask('networks:create', 'Creating', async () => {
        await api.call('networks:create', { name: options.name, ...(options.subnet ? { subnet: options.subnet } : {}), ...(options.internal ? { internal: true } : {}) });
        await get().fetchNetworks();
      }),
    removeNetwork: (name) =>
      get().runTask(`network:${name}`, 'Removing', async () => {
        await api.call('networks:remove', { name });
        await get().fetchNetworks();
      }),
    pruneNetworks: () =>
      get().runTask('networks:prune', 'Pruning', async () => {
        await api.call('networks:prune', {});
        await get().fetchNetworks();
      }),
  });
