import type { CoveApi, CoveSettings, DiskUsageReport, DockerContextState, DoctorCheck } from '../../../app/api/contract';
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
  /** "Use Cove for docker": the docker CLI context named cove. */
  dockerContext: DockerContextState | null;
  fetchDockerContext(): Promise<void>;
  setDockerContextEnabled(enabled: boolean): Promise<void>;
}

export const createSystemSlice =
  (api: CoveApi): SliceCreator<SystemSlice> =>
  (set, get) => ({
    settings: null,
    doctor: null,
    doctorStatus: 'idle',
    diskUsage: null,
    dockerContext: null,
    fetchDockerContext: async () => {
      try {
        set({ dockerContext: await api.call('system:dockerContext', {}) });
      } catch (reason) {
        get().reportError(reason);
      }
    },
    setDockerContextEnabled: (enabled) =>
      get().runTask('docker-context', enabled ? 'Creating the docker context' : 'Removing the docker context', async () => {
        set({ dockerContext: await api.call('system:useDockerContext', { enabled }) });
      }),
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
