import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EngineHandle } from '../engine/engine-api.js';
import { installPaths } from '../engine/install-paths.js';
import { MAX_FRAME_BYTES, MAX_TERMINAL_FRAME_BYTES } from '../transport/frame-limits.js';
import { openWireConnection } from '../transport/wire-connection.js';
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
 * Web mode (`cove serve`): the built renderer and the engine
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

  // Each socket is one engine connection: it gets the events of the
  // subscriptions it opened, and they end when it closes.
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const wire = openWireConnection(options.engine, (message) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      wire.close();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        // The API speaks JSON text frames (RFC 6455 §7.4.1: 1003, unacceptable data type).
        ws.close(1003, 'the API takes text frames');
        return;
      }
      wire.receive(data.toString());
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
      terminals.closeAll();
      for (const ws of sockets) ws.terminate();
      for (const ws of termWss.clients) ws.terminate();
      await new Promise<void>((resolve) => termWss.close(() => resolve()));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
