// The rest of what docker clients ask: stats (one-shot and streamed),
// a container TTY's size, image save and load, and registry login.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type http from 'node:http';
import type { StatsSample } from '../api/contract.js';
import type { Route } from './docker-router.js';
import type { DockerEngine } from './docker-engine.js';
import type { DockerStreams } from './docker-streams-engine.js';
import { DockerHttpError, queryBool, queryInt, sendJson, type DockerRequest } from './docker-http.js';
import { EngineError } from '../engine/errors.js';
import type { ActiveRelays } from './attach-route.js';
import os from 'node:os';

const NS = 1_000_000_000;

/**
 * docker's stats document from one of Cove's samples. docker's clients
 * compute CPU % from the deltas between cpu_stats and precpu_stats; the
 * counters are made so that those deltas give the sample's own figure.
 */
export function dockerStats(s: StatsSample | undefined, id: string, name: string, tick: number): Record<string, unknown> {
  const cpus = os.cpus().length;
  const system = tick * cpus * NS;
  const used = Math.round(((s?.cpuPercent ?? 0) / 100) * NS);
  const cpuStats = (total: number, sys: number) => ({ cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: total }, system_cpu_usage: sys, online_cpus: cpus, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });
  return {
    id,
    name: `/${name}`,
    read: s?.time ?? new Date().toISOString(),
    preread: new Date(Date.parse(s?.time ?? new Date().toISOString()) - 1000).toISOString(),
    pids_stats: { current: s?.pids ?? 0 },
    cpu_stats: cpuStats(tick * NS + used, system + cpus * NS),
    precpu_stats: cpuStats(tick * NS, system),
    memory_stats: { usage: s?.memoryBytes ?? 0, limit: s?.memoryLimitBytes || os.totalmem(), stats: { inactive_file: 0 } },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 0, minor: 0, op: 'read', value: s?.blockReadBytes ?? 0 },
        { major: 0, minor: 0, op: 'write', value: s?.blockWriteBytes ?? 0 },
      ],
    },
    networks: { eth0: { rx_bytes: s?.netRxBytes ?? 0, tx_bytes: s?.netTxBytes ?? 0, rx_packets: 0, tx_packets: 0, rx_errors: 0, tx_errors: 0, rx_dropped: 0, tx_dropped: 0 } },
  };
}

async function stats(engine: DockerEngine, req: DockerRequest, res: http.ServerResponse): Promise<void> {
  const view = await engine.call('containers:inspect', { id: req.params.id as string }).catch((e: unknown) => {
    if (e instanceof EngineError && e.code === 'E_CONTAINER_NOT_FOUND') throw new DockerHttpError(404, `No such container: ${req.params.id}`);
    throw e;
  });
  const sample = async (): Promise<StatsSample | undefined> => (await engine.call('stats:current', {})).find((x) => x.id === view.Id);
  const name = view.Name.replace(/^\//, '');
  let tick = 1;
  if (!queryBool(req.query, 'stream', true)) {
    // The sampler ticks once a second: a container started just now may not have a sample yet.
    let first = await sample();
    for (let i = 0; !first && view.State.Running && i < 10; i++) {
      await new Promise((r) => setTimeout(r, 250));
      first = await sample();
    }
    sendJson(res, 200, dockerStats(first, view.Id, name, tick));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  // One document a second, like docker, until the client goes away.
  await new Promise<void>((resolve) => {
    const send = async (): Promise<void> => {
      if (res.destroyed) return;
      res.write(`${JSON.stringify(dockerStats(await sample(), view.Id, name, tick++))}\n`);
    };
    const timer = setInterval(() => void send(), 1000);
    void send();
    res.on('close', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

export function moreRoutes(engine: DockerEngine, streams: DockerStreams, relays: ActiveRelays, scratch: string): Route[] {
  const staged = (): string => path.join(scratch, `docker-api-${process.pid}-${crypto.randomBytes(6).toString('hex')}.tar`);
  return [
    { method: 'GET', pattern: '/containers/{id}/stats', handler: (req, res) => stats(engine, req, res) },
    {
      method: 'POST',
      pattern: '/containers/{id}/resize',
      handler: async (req, res) => {
        const h = queryInt(req.query, 'h');
        const w = queryInt(req.query, 'w');
        if (!h || !w || h < 1 || w < 1 || h > 10000 || w > 10000) throw new DockerHttpError(400, 'resize needs h and w between 1 and 10000');
        const id = await streams.resolveId(req.params.id as string).catch((e: unknown) => {
          if (e instanceof EngineError && e.code === 'E_CONTAINER_NOT_FOUND') throw new DockerHttpError(404, `No such container: ${req.params.id}`);
          throw e;
        });
        relays.resize(id, w, h);
        sendJson(res, 200, {});
      },
    },
    {
      method: 'GET',
      pattern: '/images/get',
      handler: async (req, res) => saveImages(engine, req.query.getAll('names'), staged(), res),
    },
    {
      method: 'GET',
      pattern: '/images/{name*}/get',
      handler: async (req, res) => saveImages(engine, [req.params.name as string], staged(), res),
    },
    {
      method: 'POST',
      pattern: '/images/load',
      handler: async (req, res) => {
        fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
        const file = staged();
        try {
          await pipeline(req.raw, fs.createWriteStream(file, { mode: 0o600 }));
          const loaded = await engine.call('images:load', { path: file });
          const lines = loaded.flatMap((l) => (l.references.length ? l.references.map((r) => `Loaded image: ${familiar(r)}\n`) : [`Loaded image ID: ${l.id}\n`]));
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(lines.map((stream) => JSON.stringify({ stream })).join('\n') + '\n');
        } finally {
          fs.rmSync(file, { force: true });
        }
      },
    },
    {
      method: 'POST',
      pattern: '/auth',
      handler: async (req, res) => {
        const body = (await req.json<{ username?: string; password?: string; serveraddress?: string }>()) ?? {};
        if (!body.username || !body.password) throw new DockerHttpError(400, 'username and password are required');
        const registry = (body.serveraddress || 'docker.io').replace(/^https?:\/\//, '').replace(/\/v[12]\/?$/, '').replace(/\/$/, '');
        await engine.call('registries:login', { registry, username: body.username, password: body.password }).catch((e: unknown) => {
          if (e instanceof EngineError && (e.code === 'E_REGISTRY_AUTH' || e.code === 'E_UNAUTHORIZED')) throw new DockerHttpError(401, e.message);
          throw e;
        });
        sendJson(res, 200, { Status: 'Login Succeeded', IdentityToken: '' });
      },
    },
  ];
}

/** docker's short form of a Docker Hub reference (docker.io/library/busybox:latest -> busybox:latest). */
function familiar(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

async function saveImages(engine: DockerEngine, names: string[], file: string, res: http.ServerResponse): Promise<void> {
  if (names.length === 0) throw new DockerHttpError(400, 'no image names given');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await engine.call('images:save', { references: names, path: file, format: 'docker-archive' }).catch((e: unknown) => {
      if (e instanceof EngineError && e.code === 'E_IMAGE_NOT_FOUND') throw new DockerHttpError(404, e.message);
      throw e;
    });
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await pipeline(fs.createReadStream(file), res);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
