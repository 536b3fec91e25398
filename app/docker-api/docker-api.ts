// The Docker Engine API adapter assembled: every route on one router, served
// on the user's docker.sock next to engine.sock.
import path from 'node:path';
import type { EngineHandle } from '../engine/engine-api.js';
import { DockerRouter } from './docker-router.js';
import { dockerEngine } from './docker-engine.js';
import { startDockerServer, type DockerServer, type DockerServerOptions } from './docker-server.js';
import { systemRoutes } from './system-routes.js';
import { containerRoutes } from './container-routes.js';
import { imageRoutes } from './image-routes.js';
import { volumeRoutes } from './volume-routes.js';
import { parseFilters } from './docker-http.js';

export function dockerRouter(engine: EngineHandle): DockerRouter {
  const e = dockerEngine(engine);
  return new DockerRouter().add(...systemRoutes(e), ...containerRoutes(e), ...imageRoutes(e, parseFilters), ...volumeRoutes(e));
}

/** Where docker clients find Cove: DOCKER_HOST=unix://<runtime dir>/docker.sock. */
export function dockerSocketPath(runtimeDir: string): string {
  return path.join(runtimeDir, 'docker.sock');
}

export function serveDockerApi(engine: EngineHandle, runtimeDir: string, options: DockerServerOptions = {}): Promise<DockerServer> {
  return startDockerServer(dockerRouter(engine), dockerSocketPath(runtimeDir), options);
}
