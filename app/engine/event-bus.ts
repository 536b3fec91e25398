import type { EngineEvent } from '../api/contract.js';

type Listener = (event: EngineEvent) => void;

/** The engine's services announce changes here; `events:subscribe` subscriptions listen. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken listener must not break the engine or the other listeners.
      }
    }
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  clear(): void {
    this.listeners.clear();
  }
}
