// Main's view of the engine for the tray and notifications: the container
// list, re-read when a container event arrives (debounced, as the renderer
// does), never polled.
import type { ContainerSummary, EngineEvent } from '../app/api/contract.js';
import type { EngineHandle } from '../app/engine/engine-api.js';

export interface EngineStateListener {
  containers(before: ContainerSummary[], after: ContainerSummary[]): void;
  event(event: EngineEvent): void;
  error(message: string | null): void;
}

export function followEngineState(engine: EngineHandle, listener: EngineStateListener, debounceMs = 100): () => void {
  let current: ContainerSummary[] = [];
  let timer: NodeJS.Timeout | undefined;
  let generation = 0;
  const refresh = async (): Promise<void> => {
    const mine = ++generation;
    try {
      const next = await engine.handle('containers:list', { all: true });
      if (mine !== generation) return;
      const before = current;
      current = next;
      listener.error(null);
      listener.containers(before, next);
    } catch (err) {
      const { code, message } = err as { code?: string; message?: string };
      listener.error(code ?? message ?? 'unknown error');
    }
  };
  // Main is one more client of the engine: its own connection and events subscription.
  const connection = engine.connect(({ event }) => {
    listener.event(event);
    if (event.type !== 'container') return;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), debounceMs);
  });
  connection.call('events:subscribe', { types: ['container', 'task'] }).catch((err: unknown) => {
    listener.error((err as { code?: string }).code ?? 'E_INTERNAL');
  });
  void refresh();
  return () => {
    connection.close();
    clearTimeout(timer);
  };
}
