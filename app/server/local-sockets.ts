// The sockets a long-lived engine serves for local clients: the engine API
// (engine.sock: the cove CLI, a second window) and the Docker Engine API
// (docker.sock: docker, compose, testcontainers, IDEs). Served by the app,
// by `cove serve` and by `cove system service`, never by a daemon of its own.
import path from 'node:path';
import type { Engine } from '../engine/engine.js';

export interface LocalSockets {
  dockerSocket: string | null;
  /** The Docker API's TCP listener (--tcp) and the file holding its token, when asked for. */
  dockerTcp: { url: string; tokenFile: string } | null;
  engineSocket: string | null;
  /** Docker API connections open now; `cove system service --timeout` waits for none. */
  dockerActive(): number;
  onDockerIdle(listener: () => void): void;
  close(): Promise<void>;
}

export interface LocalSocketOptions {
  /** A socket that cannot be served is a warning, not the end of the host that serves the rest. */
  warn(message: string): void;
  trace?: (line: string) => void;
  /** `--tcp 127.0.0.1:PORT`, already checked by parseTcpAddress: fails the Docker API if it cannot be served. */
  dockerTcp?: { host: string; port: number };
}

export async function serveLocalSockets(engine: Engine, options: LocalSocketOptions): Promise<LocalSockets> {
  const { startUnixSocketServer } = await import('../transport/unix-socket-server.js');
  const { serveDockerApi, containerStreams } = await import('../docker-api/docker-api.js');
  const enginePath = path.join(engine.paths.runtime, 'engine.sock');
  const api = await startUnixSocketServer(engine, enginePath).catch((err: Error) => {
    options.warn(`no engine socket at ${enginePath}: ${err.message}`);
    return undefined;
  });
  const { loadOrCreateToken } = await import('../docker-api/tcp-access.js');
  const token = options.dockerTcp ? loadOrCreateToken(engine.paths.runtime) : null;
  const tcp = options.dockerTcp && token ? { tcp: { ...options.dockerTcp, token: token.token } } : {};
  const docker = await serveDockerApi(engine, containerStreams(engine.containers, engine.tmpDir), { runtime: engine.paths.runtime, scratch: engine.tmpDir }, { ...(options.trace ? { trace: options.trace } : {}), ...tcp }).catch((err: Error) => {
    options.warn(`no Docker API socket: ${err.message}`);
    return undefined;
  });
  const host = options.dockerTcp?.host.includes(':') ? `[${options.dockerTcp.host}]` : options.dockerTcp?.host;
  return {
    dockerSocket: docker?.path ?? null,
    dockerTcp: docker?.tcpPort && token ? { url: `tcp://${host}:${docker.tcpPort}`, tokenFile: token.file } : null,
    engineSocket: api ? enginePath : null,
    dockerActive: () => docker?.activeConnections() ?? 0,
    onDockerIdle: (l) => docker?.onIdle(l),
    close: async () => {
      await docker?.close();
      await api?.close();
    },
  };
}
