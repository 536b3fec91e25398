import type { CoveApi, StatsSample } from '../../../app/api/contract';
import type { SliceCreator } from './types';

/** The newest sample per running container, from `stats` events (the engine samples; the UI never polls). */
export interface StatsSlice {
  stats: Record<string, StatsSample>;
  fetchStats(): Promise<void>;
  applyStats(samples: StatsSample[]): void;
  /** The engine's history for one container, so a chart never starts empty. */
  statsHistory(id: string, seconds: number): Promise<StatsSample[]>;
}

export const createStatsSlice =
  (api: CoveApi): SliceCreator<StatsSlice> =>
  (set, get) => ({
    stats: {},
    fetchStats: async () => {
      try {
        const samples = await api.call('stats:current', {});
        set({ stats: Object.fromEntries(samples.map((s) => [s.id, s])) });
      } catch (reason) {
        if (get().connection === 'open') get().reportError(reason);
      }
    },
    applyStats: (samples) => {
      const running = new Set(get().containers.filter((c) => c.state === 'running').map((c) => c.id));
      set((state) => {
        const next: Record<string, StatsSample> = {};
        // Stopped containers drop out, so totals count only what runs.
        for (const [id, s] of Object.entries(state.stats)) if (running.has(id)) next[id] = s;
        for (const s of samples) next[s.id] = s;
        return { stats: next };
      });
    },
    statsHistory: (id, seconds) => api.call('stats:history', { id, seconds }),
  });
