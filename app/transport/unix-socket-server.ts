import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineHandle } from '../engine/engine-api.js';
import { openWireConnection } from './wire-connection.js';
import { MAX_FRAME_BYTES } from './frame-limits.js';
import { assertOwnSocket, ensureOwnDir } from '../engine/paths.js';

export interface UnixSocketServer {
  path: string;
  close(): Promise<void>;
}


/**
 * The engine API on a unix socket ($XDG_RUNTIME_DIR/cove/engine.sock), so
 * the CLI and other local clients share a running engine: newline-delimited
 * JSON frames of the same wire protocol as the WebSocket. Each connection
 * gets the events of its own subscriptions only, and they end when it
 * closes. The socket is 0600 in a 0700 directory, so only its owner can
 * reach it (unix(7): connect needs write permission on the socket file).
 */
export async function startUnixSocketServer(engine: EngineHandle, socketPath: string): Promise<UnixSocketServer> {
  ensureOwnDir(path.dirname(socketPath));
  // A socket left by a killed engine: replace it only if nobody answers on it.
  // Only a socket of our own is ever connected to or replaced.
  if (fs.existsSync(socketPath) || isSymlink(socketPath)) {
    assertOwnSocket(socketPath);
    const alive = await new Promise<boolean>((resolve) => {
      const c = net.connect(socketPath, () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (alive) throw new Error(`another Cove engine already serves ${socketPath}`);
    await fs.promises.rm(socketPath, { force: true });
  }
  const clients = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    clients.add(sock);
    const wire = openWireConnection(engine, (message) => {
      if (!sock.destroyed) sock.write(JSON.stringify(message) + '\n');
    });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    sock.on('data', (chunk: Buffer) => {
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf(0x0a, start)) >= 0) {
        if (pendingBytes + nl - start > MAX_FRAME_BYTES) {
          sock.destroy();
          return;
        }
        const line = Buffer.concat([...pending, chunk.subarray(start, nl)]).toString('utf8');
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
        wire.receive(line);
      }
      const rest = chunk.subarray(start);
      pendingBytes += rest.length;
      // A line longer than any request may be ends this connection only.
      if (pendingBytes > MAX_FRAME_BYTES) {
        sock.destroy();
        return;
      }
      if (rest.length > 0) pending.push(rest);
    });
    sock.on('close', () => {
      clients.delete(sock);
      wire.close();
    });
    sock.on('error', () => sock.destroy());
  });
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(old);
  }
  return {
    path: socketPath,
    close: async () => {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.promises.rm(socketPath, { force: true });
    },
  };
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
