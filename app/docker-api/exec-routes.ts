// docker exec over the API: POST /containers/{id}/exec records the command,
// POST /exec/{id}/start runs it (hijacked: raw bytes for a TTY, docker's
// multiplexed frames otherwise), /exec/{id}/json reports its exit code and
// /exec/{id}/resize sizes its TTY.
import crypto from 'node:crypto';
import type net from 'node:net';
import { DockerHttpError, queryInt, sendEmpty, sendJson, type DockerRequest } from './docker-http.js';
import { muxFrame } from './docker-streams.js';
import type { Route } from './docker-router.js';
import type { DockerStreams, ExecHandle } from './docker-streams-engine.js';
import { EngineError } from '../engine/errors.js';

interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Cmd?: string[];
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Privileged?: boolean;
  ConsoleSize?: [number, number] | null;
  DetachKeys?: string;
}

interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  session: ExecHandle | null;
  created: number;
}

// Docker keeps exec records until the container goes; a bound keeps a busy client from growing this forever.
const MAX_RECORDS = 1000;

export class ExecRecords {
  private readonly records = new Map<string, ExecRecord>();

  add(containerId: string, config: ExecConfig): ExecRecord {
    const rec: ExecRecord = { id: crypto.randomBytes(32).toString('hex'), containerId, config, running: false, exitCode: null, pid: 0, session: null, created: Date.now() };
    this.records.set(rec.id, rec);
    if (this.records.size > MAX_RECORDS) {
      for (const [id, r] of this.records) {
        if (!r.running) {
          this.records.delete(id);
          break;
        }
      }
    }
    return rec;
  }

  get(id: string): ExecRecord {
    const rec = this.records.get(id);
    if (!rec) throw new DockerHttpError(404, `No such exec instance: ${id}`);
    return rec;
  }
}

function startSession(streams: DockerStreams, rec: ExecRecord, size: { cols: number; rows: number } | undefined): Promise<ExecHandle> {
  const c = rec.config;
  return streams.exec(rec.containerId, {
    command: c.Cmd ?? [],
    tty: Boolean(c.Tty),
    interactive: Boolean(c.AttachStdin),
    ...(c.User ? { user: c.User } : {}),
    ...(c.WorkingDir ? { cwd: c.WorkingDir } : {}),
    ...(c.Env?.length ? { env: c.Env } : {}),
  }, size);
}

function track(rec: ExecRecord, session: ExecHandle): void {
  rec.session = session;
  rec.running = true;
  rec.pid = session.pid;
  void session.exit.then((code) => {
    rec.exitCode = code;
    rec.running = false;
    rec.session = null;
  });
}

function relay(rec: ExecRecord, session: ExecHandle, client: net.Socket): Promise<void> {
  const tty = Boolean(rec.config.Tty);
  session.onData((stream, data) => {
    if (client.destroyed) return;
    if (stream === 1 && rec.config.AttachStdout === false) return;
    if (stream === 2 && rec.config.AttachStderr === false) return;
    client.write(tty ? data : muxFrame(stream, data));
  });
  if (rec.config.AttachStdin) {
    client.on('data', (d: Buffer) => session.write(d));
    client.on('end', () => session.closeStdin());
  } else {
    client.resume();
  }
  client.on('error', () => client.destroy());
  return session.exit.then(() => {
    // Let the last output drain before the end of the stream tells the client the exec is over.
    if (!client.destroyed) client.end();
  });
}

export function execRoutes(streams: DockerStreams, records: ExecRecords): Route[] {
  const sizeOf = (c: ExecConfig): { cols: number; rows: number } | undefined => (c.ConsoleSize && c.ConsoleSize[0] > 0 ? { rows: c.ConsoleSize[0], cols: c.ConsoleSize[1] } : undefined);
  const start = async (req: DockerRequest, client: net.Socket, accept: () => void): Promise<void> => {
    const rec = records.get(req.params.id as string);
    const body = (await req.json<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>()) ?? {};
    if (rec.running || rec.exitCode !== null) throw new DockerHttpError(409, `exec ${rec.id} has already been started`);
    const session = await startSession(streams, rec, sizeOf({ ConsoleSize: body.ConsoleSize ?? rec.config.ConsoleSize ?? null })).catch((err: unknown) => {
      if (err instanceof EngineError && err.code === 'E_CONTAINER_NOT_RUNNING') throw new DockerHttpError(409, `container ${rec.containerId} is not running`);
      throw err;
    });
    track(rec, session);
    accept();
    await relay(rec, session, client);
  };
  return [
    {
      method: 'POST',
      pattern: '/containers/{id}/exec',
      handler: async (req, res) => {
        const config = (await req.json<ExecConfig>()) ?? {};
        if (!Array.isArray(config.Cmd) || config.Cmd.length === 0) throw new DockerHttpError(400, 'No exec command specified');
        // One lookup: it names the container and says whether it runs (docker refuses an exec into a stopped one).
        const target = await streams.attachTarget(req.params.id as string).catch((err: unknown) => {
          if (err instanceof EngineError && err.code === 'E_CONTAINER_NOT_FOUND') throw new DockerHttpError(404, `No such container: ${req.params.id}`);
          if (err instanceof EngineError && err.code === 'E_CONTAINER_NOT_RUNNING') throw new DockerHttpError(409, `container ${req.params.id} is not running`);
          throw err;
        });
        sendJson(res, 201, { Id: records.add(target.id, config).id });
      },
    },
    {
      method: 'POST',
      pattern: '/exec/{id}/start',
      // docker exec -d: no stream; the command runs on its own. Without Detach the connection is hijacked, upgraded or not.
      plainWhen: async (req) => Boolean((await req.json<{ Detach?: boolean }>())?.Detach),
      handler: async (req, res) => {
        const rec = records.get(req.params.id as string);
        if (rec.running || rec.exitCode !== null) throw new DockerHttpError(409, `exec ${rec.id} has already been started`);
        track(rec, await startSession(streams, rec, undefined));
        sendEmpty(res, 200);
      },
      hijack: start,
    },
    {
      method: 'GET',
      pattern: '/exec/{id}/json',
      handler: async (req, res) => {
        const rec = records.get(req.params.id as string);
        const [entrypoint = '', ...args] = rec.config.Cmd ?? [];
        sendJson(res, 200, {
          ID: rec.id,
          Running: rec.running,
          ExitCode: rec.exitCode,
          ProcessConfig: { tty: Boolean(rec.config.Tty), entrypoint, arguments: args, privileged: Boolean(rec.config.Privileged), user: rec.config.User ?? '' },
          OpenStdin: Boolean(rec.config.AttachStdin),
          OpenStderr: rec.config.AttachStderr !== false,
          OpenStdout: rec.config.AttachStdout !== false,
          CanRemove: !rec.running,
          ContainerID: rec.containerId,
          DetachKeys: rec.config.DetachKeys ?? '',
          Pid: rec.pid,
        });
      },
    },
    {
      method: 'POST',
      pattern: '/exec/{id}/resize',
      handler: async (req, res) => {
        const rec = records.get(req.params.id as string);
        const h = queryInt(req.query, 'h');
        const w = queryInt(req.query, 'w');
        if (!h || !w || h < 1 || w < 1 || h > 10000 || w > 10000) throw new DockerHttpError(400, 'resize needs h and w between 1 and 10000');
        if (!rec.session) throw new DockerHttpError(409, `exec ${rec.id} is not running`);
        rec.session.resize(w, h);
        sendJson(res, 201, {});
      },
    },
  ];
}
