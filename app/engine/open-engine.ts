import type { EngineHandle } from './engine-api.js';
import { Engine } from './engine.js';

/** Opens the engine for a long-lived host (Electron main, web mode): it watches the store. */
export async function openEngine(options: { home?: string } = {}): Promise<EngineHandle> {
  return Engine.open({ ...options, watch: true });
}
