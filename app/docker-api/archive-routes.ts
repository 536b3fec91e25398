// docker cp, export and diff over the API: /containers/{id}/archive (HEAD
// stat, GET a tar of a path, PUT a tar into a directory), /export and
// /changes. Paths resolve inside the container (its own stat and tar), so
// no request can reach the host's files.
import type http from 'node:http';
import { PassThrough } from 'node:stream';
import type { Route } from './docker-router.js';
import type { DockerEngine } from './docker-engine.js';
import type { DockerStreams } from './docker-streams-engine.js';
import { DockerHttpError, sendJson, type DockerRequest } from './docker-http.js';
import { EngineError } from '../engine/errors.js';

const KIND = { C: 0, A: 1, D: 2 } as const;

/**
 * The response as a stream the container's tar can always finish writing
 * into: if the client hangs up midway, the rest is read and dropped, so the
 * tar exits instead of blocking on a pipe nobody reads.
 */
function drainingOnHangup(res: http.ServerResponse): PassThrough {
  const through = new PassThrough();
  through.pipe(res);
  res.on('close', () => {
    if (res.writableFinished) return;
    through.unpipe(res);
    through.resume();
  });
  return through;
}

function pathParam(req: DockerRequest): string {
  const p = req.query.get('path');
  if (!p) throw new DockerHttpError(400, 'path is required');
  if (!p.startsWith('/')) throw new DockerHttpError(400, `the path ${p} must be absolute`);
  return p;
}

function mapped(err: unknown, container: string): never {
  if (err instanceof EngineError) {
    if (err.code === 'E_CONTAINER_NOT_FOUND') throw new DockerHttpError(404, `No such container: ${container}`);
    if (err.code === 'E_PATH_NOT_FOUND') throw new DockerHttpError(404, err.message);
    if (err.code === 'E_CONTAINER_NOT_RUNNING') throw new DockerHttpError(409, `${err.message} (Cove copies through the container's own tar)`);
  }
  throw err;
}

async function statHeader(streams: DockerStreams, req: DockerRequest, res: http.ServerResponse): Promise<void> {
  const id = req.params.id as string;
  const stat = await streams.statPath(id, pathParam(req)).catch((e: unknown) => mapped(e, id));
  res.setHeader('X-Docker-Container-Path-Stat', Buffer.from(JSON.stringify(stat)).toString('base64'));
}

export function archiveRoutes(engine: DockerEngine, streams: DockerStreams): Route[] {
  return [
    {
      method: 'HEAD',
      pattern: '/containers/{id}/archive',
      handler: async (req, res) => {
        await statHeader(streams, req, res);
        res.writeHead(200);
        res.end();
      },
    },
    {
      method: 'GET',
      pattern: '/containers/{id}/archive',
      handler: async (req, res) => {
        await statHeader(streams, req, res);
        res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        const out = drainingOnHangup(res);
        await streams.archiveOut(req.params.id as string, pathParam(req), out);
        out.end();
      },
    },
    {
      method: 'PUT',
      pattern: '/containers/{id}/archive',
      handler: async (req, res) => {
        const id = req.params.id as string;
        await streams.archiveIn(id, req.raw, pathParam(req)).catch((e: unknown) => mapped(e, id));
        res.writeHead(200);
        res.end();
      },
    },
    {
      method: 'GET',
      pattern: '/containers/{id}/export',
      handler: async (req, res) => {
        const id = req.params.id as string;
        await engine.call('containers:inspect', { id }).catch((e: unknown) => mapped(e, id));
        res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        const out = drainingOnHangup(res);
        await streams.exportFs(id, out);
        out.end();
      },
    },
    {
      method: 'GET',
      pattern: '/containers/{id}/changes',
      handler: async (req, res) => {
        const id = req.params.id as string;
        const entries = await engine.call('containers:diff', { id }).catch((e: unknown) => mapped(e, id));
        sendJson(res, 200, entries.map((e) => ({ Path: e.path, Kind: KIND[e.kind] })));
      },
    },
  ];
}
