import type { CoveApi, CoveSettings, DiskUsageReport, DoctorCheck } from '../../../app/api/contract';
import type { LoadStatus } from './containers-slice';
import type { SliceCreator } from './types';

export interface SystemSlice {
  settings: CoveSettings | null;
  doctor: DoctorCheck[] | null;
  doctorStatus: LoadStatus;
  fetchSettings(): Promise<void>;
  saveSettings(change: Partial<CoveSettings>): Promise<void>;
  runDoctor(): Promise<void>;
  /** `cove system df`: the same figures as the CLI (shared layers counted once). */
  diskUsage: DiskUsageReport | null;
  fetchDiskUsage(): Promise<void>;
}

export const createSystemSlice =
  (api: CoveApi): SliceCreator<SystemSlice> =>
  (set, get) => ({
    settings: null,
    doctor: null,
    doctorStatus: 'idle',
    diskUsage: null,
    fetchDiskUsage: async () => {
      try {
        set({ diskUsage: await api.call('system:df', {}) });
      } catch {
        // The figure stays as it was; the lists themselves report their own errors.
      }
    },
    fetchSettings: async () => {
      try {
        set({ settings: await api.call('settings:get', {}) });
      } catch (reason) {
        get().reportError(reason);
      }
    },
    saveSettings: (change) =>
      get().runTask('settings', 'Saving', async () => {
        set({ settings: await api.call('settings:set', change) });
      }),
    runDoctor: async () => {
      set({ doctorStatus: 'loading' });
      try {
        set({ doctor: await api.call('system:doctor', {}), doctorStatus: 'ready' });
      } catch (reason) {
        set({ doctorStatus: 'error' });
        get().reportError(reason);
      }
    },
  });
