import type { ErrorCode } from '../../../app/api/contract';
import { toCoveApiError } from '../api/errors';
import { uiMessage } from '../format/ui-errors';
import type { ConnectionState } from '../api/transport';
import { routeFromHash, type Page, type Route } from './routes';
import type { SliceCreator } from './types';

export type { Page } from './routes';

export interface BannerError {
  /** Grows on every report so the banner re-announces a repeated error. */
  seq: number;
  code: ErrorCode;
  message: string;
}

export type ThemeChoice = 'system' | 'light' | 'dark';

export type Dialog =
  | { kind: 'run'; image?: string }
  | { kind: 'pull' }
  | { kind: 'build' }
  | { kind: 'shortcuts' }
  | { kind: 'remove-container'; id: string; then?: 'containers' }
  | { kind: 'remove-containers'; ids: string[] }
  | { kind: 'remove-image'; id: string }
  | { kind: 'prune-images' }
  | { kind: 'remove-volume'; name: string }
  | { kind: 'prune-volumes' }
  | { kind: 'rename'; id: string }
  | { kind: 'tag'; id: string }
  | { kind: 'push'; reference: string }
  | { kind: 'load' }
  | { kind: 'save'; reference: string }
  | { kind: 'login'; registry?: string }
  | { kind: 'project-down'; project: string }
  | null;

export interface UiSlice {
  page: Page;
  route: Route;
  connection: ConnectionState;
  /** The link was open once: a later drop means the data on screen may be stale. */
  everConnected: boolean;
  error: BannerError | null;
  /** Work in progress keyed by subject (e.g. "container:<id>"), valued by a label like "Stopping". */
  tasks: Record<string, string>;
  theme: ThemeChoice;
  dialog: Dialog;
  setPage(page: Page): void;
  setRoute(route: Route): void;
  setConnection(state: ConnectionState): void;
  reportError(reason: unknown): void;
  dismissError(): void;
  setTheme(theme: ThemeChoice): void;
  openDialog(dialog: Dialog): void;
  /** Runs one user action on a subject, marks it busy meanwhile, and reports its failure. */
  runTask(key: string, label: string, work: () => Promise<void>): Promise<void>;
}

export function pageFromHash(hash: string): Page {
  return routeFromHash(hash).page;
}

const THEME_KEY = 'cove.theme';

export function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export const createUiSlice =
  (initial: Route): SliceCreator<UiSlice> =>
  (set, get) => ({
    page: initial.page,
    route: initial,
    connection: 'connecting',
    everConnected: false,
    error: null,
    tasks: {},
    theme: storedTheme(),
    dialog: null,
    setPage: (page) => set({ page, route: { page } }),
    setRoute: (route) => set({ page: route.page, route }),
    setConnection: (connection) => set((state) => ({ connection, everConnected: state.everConnected || connection === 'open' })),
    reportError: (reason) => {
      const error = toCoveApiError(reason);
      const seq = (get().error?.seq ?? 0) + 1;
      set({ error: { seq, code: error.code, message: uiMessage(error.message) } });
    },
    dismissError: () => set({ error: null }),
    setTheme: (theme) => {
      try {
        localStorage.setItem(THEME_KEY, theme);
      } catch {
        // Not persisted; still applied for this session.
      }
      set({ theme });
    },
    openDialog: (dialog) => set({ dialog }),
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
