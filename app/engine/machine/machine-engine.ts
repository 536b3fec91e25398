// The engine in a Cove VM as the app's EngineHandle (macOS and Windows,
// where containers only run in the VM): the default machine is created and
// started on demand, with progress, and every connection is a connection
// to the machine's API socket on this host (newline-delimited JSON, the same
// protocol as engine.sock), so subscriptions and their events stay per
// connection as they do in-process.
import net from 'node:net';
import type { ApiError, ApiMethod, ApiParams, ApiResult } from '../../api/contract.js';
import { ndjsonPeer } from '../../transport/ndjson-peer.js';
import type { Delivery, EngineConnection, EngineHandle } from '../engine-api.js';
import { EngineError } from '../errors.js';
import { MachineService } from './machine-service.js';
import { DEFAULT_MACHINE, liveState } from './machine-store.js';

const LOST: ApiError = { code: 'E_INTERNAL', message: 'the connection to the Cove VM was lost' };

/** One connection to a machine's API socket; calls before the socket connects are queued by it. */
export function socketConnection(socketPath: string, deliver: (delivery: Delivery) => void): EngineConnection {
  const sock = net.connect(socketPath);
  const peer = ndjsonPeer(sock, deliver, LOST);
  return {
    call: <M extends ApiMethod>(method: M, params: ApiParams<M>) => peer.request(method, params) as Promise<ApiResult<M>>,
    close() {
      peer.stop();
      sock.destroy();
    },
  };
}

/**
 * The default machine's engine: created if there is none, started if it is
 * stopped (or waited for if another process starts it); `progress` gets a
 * line per phase, for the first-run screen.
 */
export async function openMachineEngine(options: { name?: string; env?: NodeJS.ProcessEnv; progress?: (line: string) => void } = {}): Promise<EngineHandle> {
  const name = options.name ?? DEFAULT_MACHINE;
  const progress = options.progress ?? (() => undefined);
  const svc = new MachineService(options.env);
  if (!(await svc.store.exists(name))) {
    progress(`Creating the Cove VM "${name}"`);
    await svc.init(name);
  }
  const view = await svc.view(name);
  if (view.state === 'stopped') {
    progress(`Starting the Cove VM "${name}"`);
    await svc.start(name, progress);
  } else if (view.state === 'starting') {
    progress(`Waiting for the Cove VM "${name}" to start`);
    await svc.waitReady(name);
  }
  const socket = (await liveState(svc.store, name))?.apiSocket;
  if (!socket) throw new EngineError('E_MACHINE_NOT_RUNNING', `machine "${name}" stopped while the app was connecting to it`);
  progress(`Connected to the Cove VM "${name}"`);
  const shared = socketConnection(socket, () => undefined);
  const open = new Set<EngineConnection>([shared]);
  return {
    connect: (deliver) => {
      const c = socketConnection(socket, deliver);
      open.add(c);
      return {
        call: (method, params) => c.call(method, params),
        close: () => {
          open.delete(c);
          c.close();
        },
      };
    },
    handle: (method, params) => shared.call(method, params),
    // The VM keeps running (as the local engine's containers do when the app quits).
    close: async () => {
      for (const c of open) c.close();
      open.clear();
    },
  };
}
