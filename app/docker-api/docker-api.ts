// The Docker Engine API adapter assembled: every route on one router, served
// on the user's docker.sock next to engine.sock.
import path from 'node:path';
import type { EngineHandle } from '../engine/engine-api.js';
import type { ContainerService } from '../engine/container/container-service.js';
import { DockerRouter } from './docker-router.js';
import { dockerEngine } from './docker-engine.js';
import { startDockerServer, type DockerServer, type DockerServerOptions } from './docker-server.js';
import { systemRoutes } from './system-routes.js';
import { containerRoutes } from './container-routes.js';
import { imageRoutes } from './image-routes.js';
import { volumeRoutes } from './volume-routes.js';
import { networkRoutes } from './network-routes.js';
import { ActiveRelays, attachRoutes, PendingAttaches, ReportedExits } from './attach-route.js';
import { moreRoutes } from './more-routes.js';
import type { DockerStreams } from './docker-streams-engine.js';
import { ExecRecords, execRoutes } from './exec-routes.js';
import { archiveRoutes } from './archive-routes.js';
import { buildRoute } from './build-route.js';

export function dockerRouter(engine: EngineHandle, streams: DockerStreams, scratch: string): DockerRouter {
  const e = dockerEngine(engine);
  const pending = new PendingAttaches();
  const exits = new ReportedExits();
  const relays = new ActiveRelays();
  return new DockerRouter().add(...systemRoutes(e), ...containerRoutes(e, streams, pending, exits), ...attachRoutes(streams, pending, exits, relays), ...execRoutes(streams, new ExecRecords()), ...archiveRoutes(e, streams), buildRoute(e, scratch), ...moreRoutes(e, streams, relays, scratch), ...imageRoutes(e), ...volumeRoutes(e), ...networkRoutes(e));
}

/** Where docker clients find Cove: DOCKER_HOST=unix://<runtime dir>/docker.sock. */
export function dockerSocketPath(runtimeDir: string): string {
  return path.join(runtimeDir, 'docker.sock');
}

export function serveDockerApi(engine: EngineHandle, streams: DockerStreams, dirs: { runtime: string; scratch: string }, options: DockerServerOptions = {}): Promise<DockerServer> {
  return startDockerServer(dockerRouter(engine, streams, dirs.scratch), dockerSocketPath(dirs.runtime), options);
}

/** The container service's stream entry points, as the adapter sees them. */
export function containerStreams(c: ContainerService, scratch: string): DockerStreams {
  return {
    statPath: (q, p) => c.statPath(q, p),
    archiveOut: (q, p, out) => c.copyOutTar(q, p, out),
    archiveIn: (q, archive, dir) => c.copyInTar(q, archive, dir),
    exportFs: (q, out) => c.export(q, out, scratch),
    resolveId: async (q) => (await c.resolve(q)).id,
    attachTarget: (q, requireRunning) => c.attachTarget(q, requireRunning),
    startHeld: async (q) => void (await c.startHeld(q)),
    exec: (q, spec, size) => c.execSession(q, spec, size),
  };
}
