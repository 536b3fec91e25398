import type { ContainerInspect, ContainerSummary, CoveApi, LogLine, RunOptions } from '../../../app/api/contract';
import { latestOnly } from './latest';
import type { SliceCreator } from './types';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ContainersSlice {
  containers: ContainerSummary[];
  containersStatus: LoadStatus;
  showAll: boolean;
  fetchContainers(): Promise<void>;
  setShowAll(showAll: boolean): void;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string): Promise<void>;
  /** `force` stops a running container first (the UI asks before). */
  removeContainer(id: string, force?: boolean): Promise<void>;
  restartContainer(id: string): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  killContainer(id: string): Promise<void>;
  /** For the confirmation dialog: rejects with the engine error instead of reporting it. */
  removeContainerNow(id: string, force: boolean): Promise<void>;
  /** Rejects with the engine error, which the rename dialog shows in place. */
  renameContainer(id: string, name: string): Promise<void>;
  /** Bulk actions: each container is its own task; failures are reported, the rest go on. */
  bulk(action: 'start' | 'stop' | 'remove', ids: string[]): Promise<void>;
  /** Rejects with the engine error, which the run dialog shows in place. */
  runContainer(options: RunOptions): Promise<ContainerSummary>;
  inspectContainer(id: string): Promise<ContainerInspect>;
  /**
   * Follows a container's log: `onLines` gets the tail now and new lines as
   * they come (never through the store: a busy log would re-render
   * everything). Resolves to the function that stops following.
   */
  followLogs(id: string, tail: number, onLines: (lines: LogLine[], ended: boolean) => void): Promise<() => void>;
}

export const containerTaskKey = (id: string): string => `container:${id}`;

export const createContainersSlice =
  (api: CoveApi): SliceCreator<ContainersSlice> =>
  (set, get) => {
    const begin = latestOnly();

    // Actions answer with the container's new summary; applying it at once
    // keeps the row right even before the engine's event triggers a re-fetch.
    const apply = (summary: ContainerSummary): void => {
      const visible = get().showAll || summary.state === 'running';
      set((state) => {
        const others = state.containers.filter((c) => c.id !== summary.id);
        if (!visible) return { containers: others };
        const index = state.containers.findIndex((c) => c.id === summary.id);
        if (index < 0) return { containers: [summary, ...others] };
        const next = state.containers.slice();
        next[index] = summary;
        return { containers: next };
      });
    };

    return {
      containers: [],
      containersStatus: 'idle',
      showAll: true,
      fetchContainers: async () => {
        const isLatest = begin();
        if (get().containersStatus !== 'ready') set({ containersStatus: 'loading' });
        try {
          const containers = await api.call('containers:list', { all: get().showAll });
          if (isLatest()) set({ containers, containersStatus: 'ready' });
        } catch (reason) {
          if (!isLatest()) return;
          if (get().containersStatus !== 'ready') set({ containersStatus: 'error' });
          // A dropped connection has its own indicator; a banner would repeat it.
          if (get().connection === 'open') get().reportError(reason);
        }
      },
      setShowAll: (showAll) => {
        if (get().showAll === showAll) return;
        set({ showAll });
        void get().fetchContainers();
      },
      startContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Starting', async () => {
          apply(await api.call('containers:start', { id }));
        }),
      stopContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Stopping', async () => {
          apply(await api.call('containers:stop', { id }));
        }),
      restartContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Restarting', async () => {
          apply(await api.call('containers:restart', { id }));
        }),
      bulk: async (action, ids) => {
        const one = { start: get().startContainer, stop: get().stopContainer, remove: get().removeContainer }[action];
        await Promise.all(ids.map((id) => one(id)));
      },
      runContainer: async (options) => {
        const summary = await api.call('containers:run', options);
        apply(summary);
        return summary;
      },
      inspectContainer: (id) => api.call('containers:inspect', { id }),
      followLogs: async (id, tail, onLines) => {
        let subscription: string | null = null;
        const early: Array<{ subscription: string; lines: LogLine[]; ended: boolean }> = [];
        const off = api.onEvent((event) => {
          if (event.type !== 'logs') return;
          if (subscription === null) early.push({ subscription: event.subscription, lines: event.lines, ended: event.ended === true });
          else if (event.subscription === subscription) onLines(event.lines, event.ended === true);
        });
        try {
          const result = await api.call('logs:follow', { id, tail });
          subscription = result.subscription;
          onLines(result.lines, false);
        } catch (reason) {
          off();
          throw reason;
        }
        for (const e of early.splice(0)) if (e.subscription === subscription) onLines(e.lines, e.ended);
        return () => {
          off();
          if (subscription) void api.call('subscriptions:close', { subscription }).catch(() => undefined);
        };
      },
      pauseContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Pausing', async () => {
          await api.call('containers:pause', { id });
          await get().fetchContainers();
        }),
      unpauseContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Resuming', async () => {
          await api.call('containers:unpause', { id });
          await get().fetchContainers();
        }),
      killContainer: (id) =>
        get().runTask(containerTaskKey(id), 'Killing', async () => {
          apply(await api.call('containers:kill', { id }));
        }),
      removeContainerNow: async (id, force) => {
        await api.call('containers:remove', { id, force });
        set((state) => ({ containers: state.containers.filter((c) => c.id !== id) }));
      },
      renameContainer: async (id, name) => {
        apply(await api.call('containers:rename', { id, name }));
      },
      removeContainer: (id, force = false) =>
        get().runTask(containerTaskKey(id), 'Removing', async () => {
          await api.call('containers:remove', { id, force });
          set((state) => ({ containers: state.containers.filter((c) => c.id !== id) }));
        }),
    };
  };
