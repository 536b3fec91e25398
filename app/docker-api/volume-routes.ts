// /volumes/...: docker's volume endpoints over the engine API.
import type { Route } from './docker-router.js';
import type { DockerEngine } from './docker-engine.js';
import { EngineError } from '../engine/errors.js';
import { DockerHttpError, queryBool, sendEmpty, sendJson } from './docker-http.js';
import { volumeEntry } from './docker-shapes.js';

function noSuchVolume(err: unknown, name: string): never {
  if (err instanceof EngineError && err.code === 'E_VOLUME_NOT_FOUND') throw new DockerHttpError(404, `get ${name}: no such volume`);
  throw err;
}

export function volumeRoutes(engine: DockerEngine): Route[] {
  return [
    { method: 'GET', pattern: '/volumes', handler: async (_req, res) => sendJson(res, 200, { Volumes: (await engine.call('volumes:list', {})).map(volumeEntry), Warnings: [] }) },
    {
      method: 'POST',
      pattern: '/volumes/create',
      handler: async (req, res) => {
        const body = (await req.json<{ Name?: string; Driver?: string; Labels?: Record<string, string> | null }>()) ?? {};
        if (body.Driver && body.Driver !== 'local') throw new DockerHttpError(400, `volume driver ${body.Driver} is not supported (only local)`);
        const v = await engine.call('volumes:create', { ...(body.Name ? { name: body.Name } : {}), ...(body.Labels ? { labels: body.Labels } : {}) });
        sendJson(res, 201, volumeEntry(v));
      },
    },
    {
      method: 'POST',
      pattern: '/volumes/prune',
      handler: async (_req, res) => {
        const { removed } = await engine.call('volumes:prune', {});
        sendJson(res, 200, { VolumesDeleted: removed, SpaceReclaimed: 0 });
      },
    },
    {
      method: 'GET',
      pattern: '/volumes/{name}',
      handler: async (req, res) => sendJson(res, 200, volumeEntry(await engine.call('volumes:inspect', { name: req.params.name as string }).catch((e: unknown) => noSuchVolume(e, req.params.name as string)))),
    },
    {
      method: 'DELETE',
      pattern: '/volumes/{name}',
      handler: async (req, res) => {
        await engine.call('volumes:remove', { name: req.params.name as string, force: queryBool(req.query, 'force') }).catch((e: unknown) => noSuchVolume(e, req.params.name as string));
        sendEmpty(res, 204);
      },
    },
  ];
}
