import type { ErrorCode } from '../../../app/api/contract';
import { toCoveApiError } from '../api/errors';
import type { ConnectionState } from '../api/transport';
import type { SliceCreator } from './types';

export type Page = 'containers' | 'images';

export interface BannerError {
  /** Grows on every report so the banner re-announces a repeated error. */
  seq: number;
  code: ErrorCode;
  message: string;
}

export interface UiSlice {
  page: Page;
  connection: ConnectionState;
  error: BannerError | null;
  /** Work in progress keyed by subject (e.g. "container:<id>"), valued by a label like "Stopping". */
  tasks: Record<string, string>;
  setPage(page: Page): void;
  setConnection(state: ConnectionState): void;
  reportError(reason: unknown): void;
  dismissError(): void;
  /** Runs one user action on a subject, marks it busy meanwhile, and reports its failure. */
  runTask(key: string, label: string, work: () => Promise<void>): Promise<void>;
}

export function pageFromHash(hash: string): Page {
  return hash.replace(/^#\/?/, '') === 'images' ? 'images' : 'containers';
}

export const createUiSlice =
  (initialPage: Page): SliceCreator<UiSlice> =>
  (set, get) => ({
    page: initialPage,
    connection: 'connecting',
    error: null,
    tasks: {},
    setPage: (page) => set({ page }),
    setConnection: (connection) => set({ connection }),
    reportError: (reason) => {
      const error = toCoveApiError(reason);
      const seq = (get().error?.seq ?? 0) + 1;
      set({ error: { seq, code: error.code, message: error.message } });
    },
    dismissError: () => set({ error: null }),
    runTask: async (key, label, work) => {
      if (get().tasks[key]) return;
      set((state) => ({ tasks: { ...state.tasks, [key]: label } }));
      try {
        await work();
      } catch (reason) {
        get().reportError(reason);
      } finally {
        set((state) => {
          const rest = { ...state.tasks };
          delete rest[key];
          return { tasks: rest };
        });
      }
    },
  });
