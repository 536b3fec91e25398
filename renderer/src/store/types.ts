import type { StateCreator } from 'zustand/vanilla';
import type { ContainersSlice } from './containers-slice';
import type { ImagesSlice } from './images-slice';
import type { JobsSlice } from './jobs-slice';
import type { StatsSlice } from './stats-slice';
import type { SystemSlice } from './system-slice';
import type { UiSlice } from './ui-slice';
import type { VolumesSlice } from './volumes-slice';
import type { NetworksSlice } from './networks-slice';
import type { ProjectsSlice } from './projects-slice';

export type AppState = ContainersSlice & ImagesSlice & UiSlice & JobsSlice & SystemSlice & StatsSlice & VolumesSlice & NetworksSlice & ProjectsSlice;

export type SliceCreator<Slice> = StateCreator<AppState, [], [], Slice>;
