import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerMessage } from '../api/contract.js';
import type { EngineHandle } from '../engine/engine-api.js';
import { installPaths } from '../engine/install-paths.js';
import { dispatchFrame } from '../transport/dispatch.js';
import { MAX_FRAME_BYTES, MAX_TERMINAL_FRAME_BYTES } from '../transport/frame-limits.js';
import { TerminalRegistry } from '../terminal/terminal-registry.js';
import { terminalPrecheck } from '../terminal/terminal-precheck.js';
import { serveTerminalSocket } from './terminal-socket.js';
import { isAllowedUpgrade } from './upgrade-check.js';

export interface WebServerOptions {
  engine: EngineHandle;
  staticDir: string;
  host?: string;
  port?: number;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  /** Terminal sessions; by default `cove exec`/`cove attach` of this installation's CLI. */
  terminals?: TerminalRegistry;
}

export interface RunningWebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The token travels in the first URL: never leak it to another site.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function defaultTerminals(engine: EngineHandle): TerminalRegistry {
  return new TerminalRegistry({
    cli: [process.execPath, path.join(installPaths().distDir, 'cove.cjs')],
    env: process.env,
    precheck: terminalPrecheck(engine),
  });
}

/**
 * Web mode (`cove serve`, design.md §2): the built renderer and the engine
 * API over a WebSocket, on 127.0.0.1 only unless asked. The socket needs
 * the random token, an Origin of this very server and a Host naming it (DNS
 * rebinding), so no other web page can drive the engine.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const root = path.resolve(options.staticDir);
  let allowedHosts: Set<string> = new Set();

  const server = http.createServer((req, res) => {
    if (!allowedHosts.has(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = path.resolve(root, '.' + (rel.endsWith('/') ? rel + 'index.html' : rel));
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      // Client-side routes fall back to the app shell.
      file = path.join(root, 'index.html');
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(fs.existsSync(root) ? 'not found\n' : 'the UI is not built: run npm run build\n');
        return;
      }
      const isHtml = file.endsWith('.html');
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': isHtml ? 'no-store' : 'public, max-age=3600',
      });
      res.end(req.method === 'HEAD' ? undefined : data);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const termWss = new WebSocketServer({ noServer: true, maxPayload: MAX_TERMINAL_FRAME_BYTES });
  const terminals = options.terminals ?? defaultTerminals(options.engine);
  const sockets = new Set<WebSocket>();
  // Log subscriptions belong to the socket that asked: their events go to it
  // alone, and they end with it.
  const logOwners = new Map<string, WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    // A client that resets mid-handshake must not take the server down.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://x');
    const target = url.pathname === '/api' ? wss : url.pathname === '/term' ? termWss : null;
    if (!target || !isAllowedUpgrade(req, url, allowedHosts, token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    target.handleUpgrade(req, socket, head, (ws) => {
      // Without an 'error' listener a bad frame (too big, bad UTF-8, reserved
      // bit, unknown opcode, invalid close code) would throw out of the
      // EventEmitter and end the process. ws has already answered it with
      // the close code RFC 6455 §7.4.1 assigns (1002, 1007 or 1009).
      ws.on('error', () => ws.terminate());
      if (target === wss) target.emit('connection', ws);
      else serveTerminalSocket(ws, url, terminals);
    });
  });

  const unsubscribe = options.engine.subscribe((event) => {
    const frame = JSON.stringify({ kind: 'event', event } satisfies ServerMessage);
    if (event.type === 'logs') {
      const owner = logOwners.get(event.subscription);
      if (event.ended) logOwners.delete(event.subscription);
      if (owner?.readyState === owner?.OPEN) owner?.send(frame);
      return;
    }
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  wss.on('connection', (ws) => {
    sockets.add(ws);
    const owned = new Set<string>();
    ws.on('close', () => {
      sockets.delete(ws);
      for (const subscription of owned) {
        logOwners.delete(subscription);
        void options.engine.handle('logs:unfollow', { subscription }).catch(() => undefined);
      }
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        // The API speaks JSON text frames (RFC 6455 §7.4.1: 1003, unacceptable data type).
        ws.close(1003, 'the API takes text frames');
        return;
      }
      void dispatchFrame(options.engine, data.toString())
        .then((reply) => {
          if (reply?.kind === 'response' && reply.ok) trackLogSubscription(reply.result, ws, owned, logOwners);
          if (reply && ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
          else if (reply?.kind === 'response' && reply.ok) releaseOrphan(reply.result, owned, logOwners, options.engine);
        })
        .catch(() => ws.close(1011, 'internal error'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const loopback = ['127.0.0.1', 'localhost'];
  const hostNames = loopback.includes(host) ? loopback : host === '0.0.0.0' ? [...loopback, os.hostname()] : [host];
  allowedHosts = new Set(hostNames.map((h) => `${h}:${port}`));
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/?token=${token}`;
  return {
    url,
    port,
    token,
    close: async () => {
      unsubscribe();
      terminals.closeAll();
      for (const ws of sockets) ws.terminate();
      for (const ws of termWss.clients) ws.terminate();
      await new Promise<void>((resolve) => termWss.close(() => resolve()));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function subscriptionOf(result: unknown): string | null {
  if (typeof result !== 'object' || result === null) return null;
  const { subscription, lines } = result as { subscription?: unknown; lines?: unknown };
  return typeof subscription === 'string' && Array.isArray(lines) ? subscription : null;
}

function trackLogSubscription(result: unknown, ws: WebSocket, owned: Set<string>, owners: Map<string, WebSocket>): void {
  const subscription = subscriptionOf(result);
  if (!subscription) return;
  owned.add(subscription);
  owners.set(subscription, ws);
}

/** The socket closed while `logs:follow` ran: nobody will ever unfollow it. */
function releaseOrphan(result: unknown, owned: Set<string>, owners: Map<string, WebSocket>, engine: EngineHandle): void {
  const subscription = subscriptionOf(result);
  if (!subscription) return;
  owned.delete(subscription);
  owners.delete(subscription);
  void engine.handle('logs:unfollow', { subscription }).catch(() => undefined);
}
