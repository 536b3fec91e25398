import type { StateCreator } from 'zustand/vanilla';
import type { ContainersSlice } from './containers-slice';
import type { ImagesSlice } from './images-slice';
import type { UiSlice } from './ui-slice';

export type AppState = ContainersSlice & ImagesSlice & UiSlice;

export type SliceCreator<Slice> = StateCreator<AppState, [], [], Slice>;
