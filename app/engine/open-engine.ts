import type { EngineHandle } from './engine-api.js';
import { Engine } from './engine.js';

/**
 * Opens the engine for the desktop app: it watches the store, and serves
 * engine.sock and docker.sock while it runs, so the cove CLI and docker's
 * tools reach the same engine as the window. A socket that cannot be served
 * is reported through `warn` and the app goes on without it.
 */
export async function openEngine(options: { home?: string; warn?: (message: string) => void } = {}): Promise<EngineHandle> {
  const engine = await Engine.open({ ...(options.home ? { home: options.home } : {}), watch: true });
  const { serveLocalSockets } = await import('../server/local-sockets.js');
  const sockets = await serveLocalSockets(engine, { warn: options.warn ?? (() => undefined) });
  return {
    connect: (deliver) => engine.connect(deliver),
    handle: (method, params) => engine.handle(method, params),
    close: async () => {
      await sockets.close();
      await engine.close();
    },
  };
}
