// POST /containers/{id}/attach: docker's hijacked attach, relayed to the
// container monitor's attach socket. The monitor already frames output as
// docker does (8-byte stdcopy headers) once asked with MUX, so non-TTY
// output passes through as is; TTY output is unframed.
//
// docker run attaches before it starts the container: an attach to a
// container that is not running waits, and the start that follows it asks
// the monitor to hold the first output for it, so nothing is lost.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { DockerRequest } from './docker-http.js';
import { DockerHttpError, queryBool } from './docker-http.js';
import { EngineError } from '../engine/errors.js';
import type { DockerStreams, AttachTarget } from './docker-streams-engine.js';
import type { Route } from './docker-router.js';

// The monitor's client frames: [type u8][length u32 BE][payload].
const FRAME = { stdin: 0, resize: 1, closeStdin: 2, mux: 3 } as const;
// The monitor's records after MUX: docker's stream numbers plus exit (3) and info (4).
const RECORD = { stdout: 1, stderr: 2, exit: 3, info: 4 } as const;

export function monitorFrame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const hdr = Buffer.alloc(5);
  hdr[0] = type;
  hdr.writeUInt32BE(payload.length, 1);
  return Buffer.concat([hdr, payload]);
}

/** Containers whose attach arrived before their start: the start holds output for them. */
export class PendingAttaches {
  private readonly waiting = new Map<string, Array<() => void>>();

  wait(id: string, client: net.Socket): Promise<boolean> {
    return new Promise((resolve) => {
      const list = this.waiting.get(id) ?? [];
      const go = (): void => resolve(true);
      list.push(go);
      this.waiting.set(id, list);
      client.once('close', () => {
        const rest = (this.waiting.get(id) ?? []).filter((f) => f !== go);
        if (rest.length) this.waiting.set(id, rest);
        else this.waiting.delete(id);
        resolve(false);
      });
    });
  }

  has(id: string): boolean {
    return (this.waiting.get(id)?.length ?? 0) > 0;
  }

  release(id: string): void {
    for (const go of this.waiting.get(id) ?? []) go();
    this.waiting.delete(id);
  }
}

/**
 * Exit codes the monitor reported to attach clients. A --rm container is
 * removed right after it exits, so `wait` may find no record to read the
 * code from; the attach that saw the exit remembers it.
 */
export class ReportedExits {
  private readonly codes = new Map<string, number>();
  private readonly waiters = new Map<string, Array<(code: number) => void>>();

  record(id: string, code: number): void {
    this.codes.set(id, code);
    for (const w of this.waiters.get(id) ?? []) w(code);
    this.waiters.delete(id);
    // Kept briefly: only a wait that races the removal needs it.
    setTimeout(() => this.codes.delete(id), 30_000).unref();
  }

  /** The code the monitor reported, waiting up to `ms` for it to arrive. */
  take(id: string, ms: number): Promise<number | null> {
    const known = this.codes.get(id);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      const list = this.waiters.get(id) ?? [];
      list.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.waiters.set(id, list);
    });
  }
}

/**
 * sun_path holds 108 bytes (unix(7)); container directories under a long
 * COVE_HOME exceed it. Connecting through /proc/self/fd/N of the directory
 * keeps the path short whatever the real one is.
 */
function shortSocketPath(socket: string): { path: string; release: () => void } {
  if (Buffer.byteLength(socket) < 100) return { path: socket, release: () => undefined };
  const fd = fs.openSync(path.dirname(socket), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  let open = true;
  return {
    path: `/proc/self/fd/${fd}/${path.basename(socket)}`,
    release: () => {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

/**
 * The attach relays open now, per container: a TTY resize goes to the
 * monitor through one of them. A second connection of our own would count
 * as the first attach client and take the output held for docker run.
 */
export class ActiveRelays {
  private readonly monitors = new Map<string, Set<net.Socket>>();
  private readonly sizes = new Map<string, { cols: number; rows: number }>();

  add(id: string, monitor: net.Socket): void {
    const set = this.monitors.get(id) ?? new Set();
    set.add(monitor);
    this.monitors.set(id, set);
    const size = this.sizes.get(id);
    if (size) monitor.write(resizeFrame(size.cols, size.rows));
  }

  remove(id: string, monitor: net.Socket): void {
    const set = this.monitors.get(id);
    set?.delete(monitor);
    if (set && set.size === 0) {
      this.monitors.delete(id);
      this.sizes.delete(id);
    }
  }

  resize(id: string, cols: number, rows: number): void {
    this.sizes.set(id, { cols, rows });
    for (const m of this.monitors.get(id) ?? []) m.write(resizeFrame(cols, rows));
    // Remembered for a relay that connects later; forgotten with the last one.
    if (!this.monitors.has(id)) setTimeout(() => !this.monitors.has(id) && this.sizes.delete(id), 60_000).unref();
  }
}

function resizeFrame(cols: number, rows: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(rows, 0);
  p.writeUInt16BE(cols, 2);
  return monitorFrame(FRAME.resize, p);
}

/** Relays one docker client and the monitor until either side ends. */
export function relayAttach(target: AttachTarget, client: net.Socket, want: { stdin: boolean; stdout: boolean; stderr: boolean }, exits: ReportedExits, relays: ActiveRelays): Promise<void> {
  return new Promise((resolve) => {
    const { path: socketPath, release } = shortSocketPath(target.socket);
    const monitor = net.connect(socketPath);
    let pending = Buffer.alloc(0);
    const done = (): void => {
      release();
      relays.remove(target.id, monitor);
      monitor.destroy();
      if (!client.destroyed) client.end();
      resolve();
    };
    monitor.on('connect', () => {
      release();
      monitor.write(monitorFrame(FRAME.mux));
      relays.add(target.id, monitor);
      if (want.stdin && target.stdin) {
        client.on('data', (d: Buffer) => monitor.write(monitorFrame(FRAME.stdin, d)));
        // The client's half-close is docker's end of stdin (docker run -i with a pipe).
        client.on('end', () => monitor.write(monitorFrame(FRAME.closeStdin)));
      } else {
        client.resume();
      }
    });
    monitor.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 8) {
        const len = pending.readUInt32BE(4);
        if (pending.length < 8 + len) break;
        const stream = pending[0] as number;
        const record = pending.subarray(0, 8 + len);
        pending = pending.subarray(8 + len);
        if (stream === RECORD.exit) {
          if (len >= 4) exits.record(target.id, record.readInt32BE(8));
          return done();
        }
        if (stream !== RECORD.stdout && stream !== RECORD.stderr) continue;
        if (stream === RECORD.stdout ? !want.stdout : !want.stderr) continue;
        client.write(target.tty ? record.subarray(8) : record);
      }
    });
    monitor.on('error', done);
    monitor.on('close', done);
    client.on('error', done);
    client.on('close', done);
  });
}

function noSuchContainer(err: unknown, name: string): never {
  if (err instanceof EngineError && err.code === 'E_CONTAINER_NOT_FOUND') throw new DockerHttpError(404, `No such container: ${name}`);
  throw err;
}

export function attachRoutes(streams: DockerStreams, pending: PendingAttaches, exits: ReportedExits, relays: ActiveRelays): Route[] {
  const hijack = async (req: DockerRequest, client: net.Socket, accept: () => void): Promise<void> => {
    const query = req.params.id as string;
    const want = { stdin: queryBool(req.query, 'stdin'), stdout: queryBool(req.query, 'stdout'), stderr: queryBool(req.query, 'stderr') };
    const id = await streams.resolveId(query).catch((err: unknown) => noSuchContainer(err, query));
    let target = await streams.attachTarget(id).catch(() => null);
    if (!target) {
      // Not running yet: docker run attaches first, then starts. The wait is registered before the
      // client hears the upgrade, so the start it sends next always finds it and holds the output.
      const started = pending.wait(id, client);
      accept();
      if (!(await started)) return;
      // A quick command may have exited already: its monitor still holds the output for us.
      target = await streams.attachTarget(id, false);
    } else {
      accept();
    }
    await relayAttach(target, client, want, exits, relays);
  };
  return [{ method: 'POST', pattern: '/containers/{id}/attach', hijack }];
}
