// /images/...: docker's image endpoints over the engine API.
import type { Route } from './docker-router.js';
import type { DockerEngine } from './docker-engine.js';
import { EngineError } from '../engine/errors.js';
import { DockerHttpError, parseFilters, queryBool, sendJson, type DockerRequest } from './docker-http.js';
import { imageInspect, imageListEntry } from './docker-shapes.js';
import { streamTask } from './task-progress.js';
import type { ImageSummary } from '../api/contract.js';

function noSuchImage(err: unknown, name: string): never {
  if (err instanceof EngineError && err.code === 'E_IMAGE_NOT_FOUND') throw new DockerHttpError(404, `No such image: ${name}`);
  throw err;
}

/** docker images --filter: dangling, reference (glob on repo[:tag]), label is not recorded by Cove's summaries yet. */
function filterImages(list: ImageSummary[], filters: Map<string, string[]>): ImageSummary[] {
  return list.filter((i) =>
    [...filters].every(([key, values]) => {
      if (key === 'dangling') return values.some((v) => (v === 'true' || v === '1') === (i.references.length === 0));
      if (key === 'reference') return values.some((v) => i.references.some((r) => globMatch(v, r) || globMatch(v, r.replace(/:[^:/]+$/, ''))));
      throw new DockerHttpError(400, `invalid filter '${key}'`);
    }),
  );
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
  return re.test(text);
}

export function imageRoutes(engine: DockerEngine): Route[] {
  const name = (req: DockerRequest): string => req.params.name as string;
  return [
    {
      method: 'GET',
      pattern: '/images/json',
      handler: async (req, res) => {
        const list = filterImages(await engine.call('images:list', {}), parseFilters(req.query));
        sendJson(res, 200, list.map(imageListEntry));
      },
    },
    { method: 'GET', pattern: '/images/search', handler: async (_req, res) => sendJson(res, 200, []) },
    {
      method: 'POST',
      pattern: '/images/prune',
      handler: async (req, res) => {
        const filters = parseFilters(req.query);
        const dangling = filters.get('dangling');
        const r = await engine.call('images:prune', { all: dangling !== undefined && dangling.includes('false') });
        sendJson(res, 200, { ImagesDeleted: [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))], SpaceReclaimed: 0 });
      },
    },
    {
      method: 'POST',
      pattern: '/images/create',
      handler: async (req, res) => {
        const from = req.query.get('fromImage');
        if (!from) throw new DockerHttpError(400, 'fromImage is required (importing with fromSrc is not supported)');
        const tag = req.query.get('tag');
        const reference = tag ? (tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`) : from;
        const platform = req.query.get('platform');
        const final = await streamTask(engine, res, () => engine.call('images:pull', { reference, ...(platform ? { platform } : {}) }), { status: `Pulling from ${from}`, id: tag ?? 'latest' });
        if (final?.state === 'done') {
          const view = await engine.call('images:inspect', { reference }).catch(() => null);
          if (view?.RepoDigests[0]) res.write(`${JSON.stringify({ status: `Digest: ${view.RepoDigests[0].split('@')[1]}` })}\n`);
          res.write(`${JSON.stringify({ status: `Status: Downloaded newer image for ${reference}` })}\n`);
        }
        res.end();
      },
    },
    {
      method: 'POST',
      pattern: '/images/{name*}/push',
      handler: async (req, res) => {
        const tag = req.query.get('tag');
        const reference = tag ? `${name(req)}:${tag}` : name(req);
        const final = await streamTask(engine, res, () => engine.call('images:push', { reference }), { status: `The push refers to repository [${name(req)}]` });
        if (final?.state === 'done') {
          const view = await engine.call('images:inspect', { reference }).catch(() => null);
          const digest = view?.Manifest.Digest ?? '';
          // The CLI prints status lines and hands `aux` messages to its callback: one of each, as docker sends.
          res.write(`${JSON.stringify({ status: `${tag ?? 'latest'}: digest: ${digest} size: ${view?.Size ?? 0}` })}\n`);
          res.write(`${JSON.stringify({ progressDetail: {}, aux: { Tag: tag ?? 'latest', Digest: digest, Size: view?.Size ?? 0 } })}\n`);
        }
        res.end();
      },
    },
    {
      method: 'POST',
      pattern: '/images/{name*}/tag',
      handler: async (req, res) => {
        const repo = req.query.get('repo');
        if (!repo) throw new DockerHttpError(400, 'repo is required');
        const tag = req.query.get('tag');
        await engine.call('images:tag', { source: name(req), target: tag ? `${repo}:${tag}` : repo }).catch((e: unknown) => noSuchImage(e, name(req)));
        res.writeHead(201);
        res.end();
      },
    },
    {
      method: 'GET',
      pattern: '/images/{name*}/history',
      handler: async (req, res) => {
        const h = await engine.call('images:history', { reference: name(req) }).catch((e: unknown) => noSuchImage(e, name(req)));
        sendJson(
          res,
          200,
          h.map((e) => ({ Id: e.id ?? '<missing>', Created: e.created ? Math.floor(Date.parse(e.created) / 1000) : 0, CreatedBy: e.createdBy, Tags: null, Size: e.size, Comment: e.comment })),
        );
      },
    },
    {
      method: 'GET',
      pattern: '/images/{name*}/json',
      handler: async (req, res) => sendJson(res, 200, imageInspect(await engine.call('images:inspect', { reference: name(req) }).catch((e: unknown) => noSuchImage(e, name(req))))),
    },
    {
      method: 'DELETE',
      pattern: '/images/{name*}',
      handler: async (req, res) => {
        const r = await engine.call('images:remove', { reference: name(req), force: queryBool(req.query, 'force') }).catch((e: unknown) => noSuchImage(e, name(req)));
        sendJson(res, 200, [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))]);
      },
    },
  ];
}
