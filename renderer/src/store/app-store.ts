import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CoveApi } from '../../../app/api/contract';
import { createContainersSlice } from './containers-slice';
import { createImagesSlice } from './images-slice';
import type { AppState } from './types';
import { createUiSlice, type Page } from './ui-slice';

export type AppStore = StoreApi<AppState>;

export function createAppStore(api: CoveApi, initialPage: Page = 'containers'): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createUiSlice(initialPage)(...args),
    ...createContainersSlice(api)(...args),
    ...createImagesSlice(api)(...args),
  }));
}
