// /containers/...: docker's container endpoints over the engine API.
import type http from 'node:http';
import type { ContainerInspect } from '../api/contract.js';
import { EngineError } from '../engine/errors.js';
import { isUserNetwork } from '../engine/network/network-service.js';
import { DockerHttpError, parseFilters, queryBool, queryInt, sendEmpty, sendJson, type DockerRequest } from './docker-http.js';
import type { DockerEngine } from './docker-engine.js';
import type { Route } from './docker-router.js';
import { containerInspect, containerListEntry } from './docker-shapes.js';
import { filterContainers } from './container-filters.js';
import { runOptionsFromCreate, type DockerCreateBody } from './docker-create.js';
import { logChunk, type LogChunkOptions } from './docker-streams.js';
import type { DockerStreams } from './docker-streams-engine.js';
import type { PendingAttaches, ReportedExits } from './attach-route.js';


/** docker answers 304 for start of a running or stop of a stopped container. */
async function unlessAlready(res: http.ServerResponse, work: () => Promise<unknown>, already: 'E_CONTAINER_RUNNING' | 'E_CONTAINER_NOT_RUNNING'): Promise<void> {
  try {
    await work();
    sendEmpty(res, 204);
  } catch (err) {
    if (err instanceof EngineError && err.code === already) sendEmpty(res, 304);
    else throw err;
  }
}

function notFoundMessage(err: unknown, id: string): never {
  if (err instanceof EngineError && err.code === 'E_CONTAINER_NOT_FOUND') throw new DockerHttpError(404, `No such container: ${id}`);
  throw err;
}

export function containerRoutes(engine: DockerEngine, streams: DockerStreams, pending: PendingAttaches, exits: ReportedExits): Route[] {
  // Every route that names a container: docker's exact 404 text, which scripts match on.
  const named = (fn: (req: DockerRequest, res: http.ServerResponse) => Promise<void>) => async (req: DockerRequest, res: http.ServerResponse) => {
    try {
      await fn(req, res);
    } catch (err) {
      notFoundMessage(err, req.params.id ?? '');
    }
  };
  const id = (req: DockerRequest): string => req.params.id as string;
  return [
    {
      method: 'GET',
      pattern: '/containers/json',
      handler: async (req, res) => {
        const list = await engine.call('containers:list', { all: queryBool(req.query, 'all') });
        let out = filterContainers(list, parseFilters(req.query)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const limit = queryInt(req.query, 'limit');
        if (limit && limit > 0) out = out.slice(0, limit);
        sendJson(res, 200, out.map(containerListEntry));
      },
    },
    {
      method: 'POST',
      pattern: '/containers/create',
      handler: async (req, res) => {
        const body = (await req.json<DockerCreateBody>()) ?? {};
        const created = await engine.call('containers:create', runOptionsFromCreate(body, req.query.get('name')));
        sendJson(res, 201, { Id: created.id, Warnings: [] });
      },
    },
    {
      method: 'GET',
      pattern: '/containers/{id}/json',
      handler: named(async (req, res) => {
        const view = await engine.call('containers:inspect', { id: id(req) });
        // Only a container on a user-defined network has endpoints to show (listing networks reads every container).
        const networks = isUserNetwork(view.HostConfig.NetworkMode) ? await engine.call('networks:list', {}) : [];
        sendJson(res, 200, containerInspect(view, networks));
      }),
    },
    {
      method: 'POST',
      pattern: '/containers/{id}/start',
      handler: named(async (req, res) => {
        const target = await streams.resolveId(id(req));
        // A client attached before this start (docker run): the monitor holds the first output for it.
        const held = pending.has(target);
        try {
          await unlessAlready(res, () => (held ? streams.startHeld(target) : engine.call('containers:start', { id: target })), 'E_CONTAINER_RUNNING');
        } catch (err) {
          await removeIfAutoRemove(engine, target);
          throw startError(err);
        } finally {
          if (held) pending.release(target);
        }
      }),
    },
    {
      method: 'POST',
      pattern: '/containers/{id}/stop',
      handler: named(async (req, res) => {
        const t = queryInt(req.query, 't');
        await unlessAlready(res, () => engine.call('containers:stop', { id: id(req), ...(t !== undefined && t >= 0 ? { timeoutSeconds: t } : {}) }), 'E_CONTAINER_NOT_RUNNING');
      }),
    },
    {
      method: 'POST',
      pattern: '/containers/{id}/restart',
      handler: named(async (req, res) => {
        const t = queryInt(req.query, 't');
        await engine.call('containers:restart', { id: id(req), ...(t !== undefined && t >= 0 ? { timeoutSeconds: t } : {}) });
        sendEmpty(res, 204);
      }),
    },
    {
      method: 'POST',
      pattern: '/containers/{id}/kill',
      handler: named(async (req, res) => {
        const signal = req.query.get('signal');
        await engine.call('containers:kill', { id: id(req), ...(signal ? { signal } : {}) });
        sendEmpty(res, 204);
      }),
    },
    {
      method: 'DELETE',
      pattern: '/containers/{id}',
      handler: named(async (req, res) => {
        await engine.call('containers:remove', { id: id(req), force: queryBool(req.query, 'force') });
        sendEmpty(res, 204);
      }),
    },
    {
      method: 'POST',
      pattern: '/containers/{id}/wait',
      handler: named(async (req, res) => {
        const condition = req.query.get('condition') ?? 'not-running';
        if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new DockerHttpError(400, `invalid condition: ${condition}`);
        const target = await engine.call('containers:inspect', { id: id(req) });
        // Headers go out now: docker clients wait on the body, and compose/testcontainers time out otherwise.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        // docker run asks before it starts the container: next-exit and removed wait for a run that has not begun yet.
        if (condition !== 'not-running' && !target.State.Running) await waitStarted(engine, target.Id, target.State.StartedAt);
        const waited = await engine.call('containers:wait', { id: target.Id }).catch(() => ({ exitCode: null }));
        const exitCode = waited.exitCode ?? (await exits.take(target.Id, 2000));
        if (condition === 'removed') {
          // docker's daemon removes an AutoRemove container as soon as it exits. The monitor's exit
          // command would too, but through a CLI process of its own, starting Node: remove it from here.
          if (target.HostConfig.AutoRemove) await engine.call('containers:remove', { id: target.Id, force: true }).catch(() => undefined);
          await waitRemoved(engine, target.Id);
        }
        res.end(JSON.stringify({ StatusCode: exitCode ?? 0, Error: null }));
      }),
    },
    {
      method: 'GET',
      pattern: '/containers/{id}/top',
      handler: named(async (req, res) => {
        const procs = await engine.call('containers:top', { id: id(req) });
        sendJson(res, 200, {
          Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
          Processes: procs.map((p) => [String(p.uid), String(p.pid), String(p.ppid), '0', '', '?', formatCpu(p.cpuSeconds), p.command]),
        });
      }),
    },
    {
      method: 'POST',
      pattern: '/containers/{id}/rename',
      handler: named(async (req, res) => {
        const name = req.query.get('name');
        if (!name) throw new DockerHttpError(400, 'name is required');
        await engine.call('containers:rename', { id: id(req), name });
        sendEmpty(res, 204);
      }),
    },
    { method: 'POST', pattern: '/containers/{id}/pause', handler: named(async (req, res) => (await engine.call('containers:pause', { id: id(req) }), sendEmpty(res, 204))) },
    { method: 'POST', pattern: '/containers/{id}/unpause', handler: named(async (req, res) => (await engine.call('containers:unpause', { id: id(req) }), sendEmpty(res, 204))) },
    {
      method: 'POST',
      pattern: '/containers/prune',
      handler: async (_req, res) => {
        const { removed } = await engine.call('containers:prune', {});
        sendJson(res, 200, { ContainersDeleted: removed, SpaceReclaimed: 0 });
      },
    },
    { method: 'GET', pattern: '/containers/{id}/logs', handler: named((req, res) => streamLogs(engine, req, res)) },
  ];
}

/** docker run --rm removes a container whose start failed; its waiters then see it gone. */
async function removeIfAutoRemove(engine: DockerEngine, id: string): Promise<void> {
  const view = await engine.call('containers:inspect', { id }).catch(() => null);
  if (view?.HostConfig.AutoRemove) await engine.call('containers:remove', { id, force: true }).catch(() => undefined);
}

/**
 * The docker CLI picks its exit code from the start error's text (127 for
 * "executable file not found", 126 for "permission denied"), and docker
 * answers these with 400: keep Cove's message, add docker's words.
 */
function startError(err: unknown): unknown {
  if (!(err instanceof EngineError)) return err;
  if (err.code === 'E_RUNTIME_EXEC') return new DockerHttpError(400, `${err.message}: executable file not found in $PATH`);
  if (err.code === 'E_RUNTIME_CANNOT_INVOKE') return new DockerHttpError(400, `${err.message}: permission denied`);
  return err;
}

function formatCpu(seconds: number): string {
  const s = Math.floor(seconds);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Until `reached` holds for the container's inspect view (null once it is gone), checked on each of its events. */
async function untilContainer(engine: DockerEngine, id: string, reached: (view: ContainerInspect | null) => boolean, checkNow: boolean): Promise<void> {
  await new Promise<void>((resolve) => {
    const check = async (): Promise<void> => {
      if (reached(await engine.call('containers:inspect', { id }).catch(() => null))) {
        stop();
        resolve();
      }
    };
    const stop = engine.subscribe((e) => {
      if (e.type === 'container' && e.id === id) void check();
    });
    if (checkNow) void check();
  });
}

/** Until the container has started again (its StartedAt moved on), or is gone. */
const waitStarted = (engine: DockerEngine, id: string, startedBefore: string): Promise<void> =>
  untilContainer(engine, id, (now) => !now || now.State.Running || now.State.StartedAt !== startedBefore, false);

const waitRemoved = (engine: DockerEngine, id: string): Promise<void> => untilContainer(engine, id, (now) => now === null, true);

/** GET /containers/{id}/logs: the lines so far, then (follow) new ones until the container stops. */
async function streamLogs(engine: DockerEngine, req: DockerRequest, res: http.ServerResponse): Promise<void> {
  const view = await engine.call('containers:inspect', { id: req.params.id as string });
  const opts = {
    tty: view.Config.Tty,
    timestamps: queryBool(req.query, 'timestamps'),
    stdout: queryBool(req.query, 'stdout'),
    stderr: queryBool(req.query, 'stderr'),
    since: timestampParam(req.query.get('since')),
    until: timestampParam(req.query.get('until')),
  };
  // docker: "all" or a negative number means every line.
  const tailParam = req.query.get('tail');
  const tailNumber = tailParam && tailParam !== 'all' ? Number(tailParam) : undefined;
  if (tailNumber !== undefined && !Number.isInteger(tailNumber)) throw new DockerHttpError(400, `invalid tail: ${tailParam}`);
  const tail = tailNumber !== undefined && tailNumber >= 0 ? tailNumber : undefined;
  const contentType = opts.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  if (!queryBool(req.query, 'follow')) {
    const lines = await engine.call('containers:logs', { id: view.Id, ...(tail !== undefined ? { tail } : {}) });
    res.writeHead(200, { 'Content-Type': contentType });
    res.end(logChunk(lines, opts));
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType });
  await followLogs(engine, view.Id, tail, opts, res);
}

/** docker sends since/until as unix seconds with an optional fraction ("1700000000.5"); 0 or absent means no bound. */
function timestampParam(v: string | null): number {
  if (!v) return 0;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new DockerHttpError(400, `invalid timestamp: ${v}`);
  return n * 1000;
}

async function followLogs(engine: DockerEngine, id: string, tail: number | undefined, opts: LogChunkOptions, res: http.ServerResponse): Promise<void> {
  // One connection for the follow and the container events: closing it ends both.
  const connection = engine.connect((e) => {
    if (e.type === 'logs') {
      if (e.lines.length) res.write(logChunk(e.lines, opts));
      if (e.ended) finish();
    } else if (e.type === 'container' && e.id === id) {
      void endIfStopped();
    }
  });
  const finish = (): void => {
    connection.close();
    if (!res.writableEnded) res.end();
  };
  await connection.call('events:subscribe', { types: ['container'] });
  // The monitor writes the last lines before it records the exit: give the follower one beat to pass them on.
  const endIfStopped = async (): Promise<void> => {
    const state = await engine.call('containers:inspect', { id }).catch(() => null);
    if (!state?.State.Running) setTimeout(finish, 150);
  };
  res.on('close', finish);
  const first = await connection.call('logs:follow', { id, ...(tail !== undefined ? { tail } : {}) });
  res.write(logChunk(first.lines, opts));
  await endIfStopped();
}
