// `cove system service`: the Docker API socket (and the engine socket) in the
// foreground for headless use, without a daemon that must always run; with
// --timeout it exits after that many idle seconds (no client connected).
import { flagBool, flagString, parseArgs, UsageError } from './args.js';
import type { Command } from './cli-kit.js';
import { verb } from './verbs.js';
import type { Engine } from '../engine/engine.js';
import type { Io } from './cli-kit.js';

export async function serveSockets(engine: Engine, io: Io, debug = false): Promise<{ close(): Promise<void>; dockerIdle(listener: () => void): void; dockerActive(): number }> {
  const { serveDockerApi, containerStreams } = await import('../docker-api/docker-api.js');
  const { startUnixSocketServer } = await import('../transport/unix-socket-server.js');
  const docker = await serveDockerApi(engine, containerStreams(engine.containers, engine.tmpDir), { runtime: engine.paths.runtime, scratch: engine.tmpDir }, debug ? { trace: (line) => io.err(`${new Date().toISOString()} ${line}\n`) } : {});
  const api = await startUnixSocketServer(engine, `${engine.paths.runtime}/engine.sock`).catch((err: Error) => {
    io.err(`warning: no engine socket: ${err.message}\n`);
    return undefined;
  });
  return {
    close: async () => {
      await docker.close();
      await api?.close();
    },
    dockerIdle: (l) => docker.onIdle(l),
    dockerActive: () => docker.activeConnections(),
  };
}

export const systemService: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('system service'));
  const timeoutText = flagString(p, 'timeout');
  const timeout = timeoutText === undefined ? 0 : Number(timeoutText);
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`invalid --timeout ${timeoutText}`);
  const sockets = await serveSockets(engine, io, flagBool(p, 'debug'));
  io.out(`Cove Docker API: DOCKER_HOST=unix://${engine.paths.runtime}/docker.sock\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (timeout > 0) {
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => (sockets.dockerActive() === 0 ? resolve() : arm()), timeout * 1000);
      };
      sockets.dockerIdle(arm);
      arm();
    }
  });
  await sockets.close();
  return 0;
};
