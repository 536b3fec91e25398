// The Docker Engine API on a unix socket: one more transport of the engine
// API, so the docker CLI, compose, testcontainers and IDEs drive Cove
// unchanged. No client input may end the server: every request runs inside
// its own try/catch, malformed HTTP gets a 400 from 'clientError', and
// hijacked sockets carry their own error handlers.
import http from 'node:http';
import type net from 'node:net';
import fs from 'node:fs';
import { DockerHttpError, sendError, splitVersion, apiErrorStatus, type DockerRequest } from './docker-http.js';
import type { DockerRouter } from './docker-router.js';
import { EngineError, toApiError } from '../engine/errors.js';
import { presentsToken } from './tcp-access.js';
import { claimSocketPath } from './socket-path.js';
import { activatedSocketFd } from './systemd-units.js';
import { takeOverSocket } from './plain-hijack.js';

/** The largest JSON body a plain endpoint reads (a container create with many labels fits easily). */
const MAX_JSON_BODY = 8 * 1024 * 1024;

export interface DockerServer {
  path: string;
  /** The port of the TCP listener (--tcp), null without one. */
  tcpPort: number | null;
  /** Connections open now (hijacked ones included); `cove system service --timeout` waits for 0. */
  activeConnections(): number;
  onIdle(listener: () => void): void;
  close(): Promise<void>;
}

function makeRequest(raw: http.IncomingMessage, params: Record<string, string>, version: string, path: string, query: URLSearchParams): DockerRequest {
  let cached: Promise<Buffer> | undefined;
  const body = (): Promise<Buffer> => {
    cached ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      raw.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_JSON_BODY) {
          reject(new DockerHttpError(413, 'request body too large'));
          raw.destroy();
          return;
        }
        chunks.push(c);
      });
      raw.on('end', () => resolve(Buffer.concat(chunks)));
      raw.on('error', reject);
    });
    return cached;
  };
  return {
    method: raw.method ?? 'GET',
    path,
    version,
    query,
    headers: raw.headers,
    params,
    raw,
    body,
    json: async <T>() => {
      const buf = await body();
      if (buf.length === 0) return undefined;
      try {
        return JSON.parse(buf.toString('utf8')) as T;
      } catch {
        throw new DockerHttpError(400, 'invalid JSON in the request body');
      }
    },
  };
}

function parseTarget(raw: http.IncomingMessage): { version: string; path: string; query: URLSearchParams } {
  const url = new URL(raw.url ?? '/', 'http://docker');
  const { version, path } = splitVersion(url.pathname);
  return { version, path, query: url.searchParams };
}

function errorReply(err: unknown): { status: number; message: string } {
  if (err instanceof DockerHttpError) return { status: err.status, message: err.message };
  const api = toApiError(err);
  return { status: apiErrorStatus(api), message: api.message };
}

export interface DockerServerOptions {
  /** Called once per request with what was asked and answered (`cove system service --debug`). */
  trace?: (line: string) => void;
  /** Also listen on this loopback address, for requests that present the token (tcp-access.ts). */
  tcp?: { host: string; port: number; token: string };
}

type Authorize = (raw: http.IncomingMessage) => boolean;

const UNAUTHORIZED = 'this Docker API listener needs the token: send "Authorization: Bearer <token>" (the docker CLI: "HttpHeaders" in config.json)';

/** One HTTP server's handlers; the unix socket's and the TCP listener's differ only in `authorize`. */
function wire(server: http.Server, router: DockerRouter, options: DockerServerOptions, sockets: Set<net.Socket>, idleListeners: Array<() => void>, authorize: Authorize): void {
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      sockets.delete(sock);
      if (sockets.size === 0) for (const l of idleListeners) l();
    });
  });
  server.on('clientError', (_err, sock: net.Socket) => {
    if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"malformed request"}');
    else sock.destroy();
  });
  server.on('request', (raw: http.IncomingMessage, res: http.ServerResponse) => {
    if (options.trace) res.on('finish', () => options.trace?.(`${raw.method} ${raw.url} -> ${res.statusCode}`));
    void (async () => {
      try {
        if (!authorize(raw)) throw new DockerHttpError(401, UNAUTHORIZED);
        const { version, path, query } = parseTarget(raw);
        const hit = router.match(raw.method ?? 'GET', path);
        if (!('route' in hit)) {
          if (hit.allowed) throw new DockerHttpError(405, `method ${raw.method} not allowed on ${path}`);
          throw new DockerHttpError(404, `page not found`);
        }
        const req = makeRequest(raw, hit.params, version, path, query);
        const { handler, hijack, plainWhen } = hit.route;
        if (hijack && !(handler && plainWhen && (await plainWhen(req)))) {
          // No Upgrade header: docker's daemon hijacks anyway and answers 200 on the raw connection.
          await req.body();
          let sock: net.Socket | undefined;
          await hijack(req, raw.socket, () => {
            sock = takeOverSocket(raw);
            options.trace?.(`${raw.method} ${raw.url} -> 200 (hijacked)`);
            sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n');
          }).catch((err: unknown) => {
            // Once the stream has begun, an error can only end it.
            if (!sock) throw err;
            sock.destroy();
          });
        } else if (handler) await handler(req, res);
      } catch (err) {
        const { status, message } = errorReply(err);
        sendError(res, status, message);
      }
    })();
  });
  server.on('upgrade', (raw: http.IncomingMessage, sock: net.Socket, head: Buffer) => {
    options.trace?.(`${raw.method} ${raw.url} (upgrade)`);
    let accepted = false;
    void (async () => {
      try {
        if (!authorize(raw)) throw new DockerHttpError(401, UNAUTHORIZED);
        const { version, path, query } = parseTarget(raw);
        const hit = router.match(raw.method ?? 'GET', path);
        if (!('route' in hit) || !hit.route.hijack) throw new DockerHttpError(404, 'page not found');
        const req = makeRequest(raw, hit.params, version, path, query);
        // The body (exec start's {"Detach":false,"Tty":true}) comes before the stream: read it before the 101.
        await readUpgradeBody(sock, req, head, Number(raw.headers['content-length'] ?? 0));
        accepted = false;
        await hit.route.hijack(req, sock, () => {
          accepted = true;
          sock.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
        });
      } catch (err) {
        if (accepted) {
          sock.destroy();
          return;
        }
        const { status, message } = errorReply(err);
        const text = JSON.stringify({ message });
        if (sock.writable) sock.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      }
    })();
  });
}

function listen(server: http.Server, target: { fd: number } | string | { host: string; port: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(target, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startDockerServer(router: DockerRouter, socketPath: string, options: DockerServerOptions = {}): Promise<DockerServer> {
  // Socket-activated by systemd: the socket exists and is systemd's to keep.
  const activated = activatedSocketFd();
  const release = activated === null ? await claimSocketPath(socketPath) : () => undefined;
  const sockets = new Set<net.Socket>();
  const idleListeners: Array<() => void> = [];
  const newServer = (): http.Server => http.createServer({ requestTimeout: 0, headersTimeout: 60_000 });
  const server = newServer();
  // The unix socket's mode (0600 in a 0700 directory) is its access control.
  wire(server, router, options, sockets, idleListeners, () => true);
  await listen(server, activated !== null ? { fd: activated } : socketPath);
  if (activated === null) fs.chmodSync(socketPath, 0o600);
  let tcpServer: http.Server | undefined;
  if (options.tcp) {
    const { token } = options.tcp;
    tcpServer = newServer();
    wire(tcpServer, router, options, sockets, idleListeners, (raw) => presentsToken(raw.headers.authorization, token));
    await listen(tcpServer, { host: options.tcp.host, port: options.tcp.port }).catch(async (err: Error) => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      release();
      throw new EngineError('E_INVALID_ARGUMENT', `cannot listen on ${options.tcp?.host}:${options.tcp?.port}: ${err.message}`);
    });
  }
  const tcpAddress = tcpServer?.address();
  return {
    path: socketPath,
    tcpPort: tcpAddress && typeof tcpAddress === 'object' ? tcpAddress.port : null,
    activeConnections: () => sockets.size,
    onIdle: (l) => idleListeners.push(l),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([server, ...(tcpServer ? [tcpServer] : [])].map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
      release();
    },
  };
}

/** On an upgraded socket the body is ours to read: `head` holds what Node read past the headers. */
async function readUpgradeBody(sock: net.Socket, req: DockerRequest, head: Buffer, length: number): Promise<void> {
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_JSON_BODY) throw new DockerHttpError(413, 'bad request body length');
  let buf = head;
  while (buf.length < length) {
    const chunk = await new Promise<Buffer>((resolve, reject) => {
      const onData = (c: Buffer): void => {
        cleanup();
        resolve(c);
      };
      const onEnd = (): void => {
        cleanup();
        reject(new DockerHttpError(400, 'connection closed inside the request body'));
      };
      const cleanup = (): void => {
        sock.off('data', onData);
        sock.off('end', onEnd);
        sock.off('close', onEnd);
      };
      sock.on('data', onData);
      sock.on('end', onEnd);
      sock.on('close', onEnd);
    });
    buf = Buffer.concat([buf, chunk]);
  }
  const body = buf.subarray(0, length);
  const rest = buf.subarray(length);
  if (rest.length) sock.unshift(rest);
  req.body = async () => body;
  req.json = async <T>() => {
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      throw new DockerHttpError(400, 'invalid JSON in the request body');
    }
  };
}
