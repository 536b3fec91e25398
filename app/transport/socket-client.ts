import net from 'node:net';
import { createApiClient, type ApiClient } from './api-client.js';
import { ndjsonPeer } from './ndjson-peer.js';

/**
 * A client of an engine that already runs (`cove serve`, the desktop app),
 * over its unix socket. Resolves null when nothing answers there, so the
 * caller can open the engine in-process instead.
 */
export async function connectSocket(socketPath: string): Promise<ApiClient | null> {
  const sock = await new Promise<net.Socket | null>((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(null));
  });
  if (!sock) return null;
  const client = createApiClient({
    call: (method, params) => peer.request(method, params),
    close: async () => {
      peer.stop();
      await new Promise<void>((resolve) => sock.end(() => resolve()));
      sock.destroy();
    },
  });
  const peer = ndjsonPeer(sock, (d) => client.deliver(d), { code: 'E_INTERNAL', message: 'the connection to the Cove engine was lost' });
  return client;
}
