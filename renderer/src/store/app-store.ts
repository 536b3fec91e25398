import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CoveApi } from '../../../app/api/contract';
import { createContainersSlice } from './containers-slice';
import { createImagesSlice } from './images-slice';
import { createJobsSlice } from './jobs-slice';
import type { Route } from './routes';
import { createStatsSlice } from './stats-slice';
import { createSystemSlice } from './system-slice';
import type { AppState } from './types';
import { createUiSlice } from './ui-slice';
import { createVolumesSlice } from './volumes-slice';
import { createNetworksSlice } from './networks-slice';
import { createProjectsSlice } from './projects-slice';

export type AppStore = StoreApi<AppState>;

export function createAppStore(api: CoveApi, initial: Route = { page: 'dashboard' }): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createUiSlice(initial)(...args),
    ...createContainersSlice(api)(...args),
    ...createImagesSlice(api)(...args),
    ...createJobsSlice(api)(...args),
    ...createSystemSlice(api)(...args),
    ...createStatsSlice(api)(...args),
    ...createVolumesSlice(api)(...args),
    ...createNetworksSlice(api)(...args),
    ...createProjectsSlice(api)(...args),
  }));
}
