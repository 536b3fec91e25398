import type {
  ApiMethod,
  ApiParams,
  ApiResult,
  ClientMessage,
  EngineEvent,
} from '../../../app/api/contract';
import { CoveApiError } from '../../../app/api/contract';
import { connectionLost, toCoveApiError } from './errors';
import type { ConnectionState, Transport } from './transport';
import { parseServerMessage } from './wire';

export interface WebSocketTransportOptions {
  url: string;
  createSocket?: (url: string) => WebSocket;
  /** How long a call made while disconnected waits for the socket. */
  queueTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * No token was found in the URL or sessionStorage. If the very first
   * connection then fails, the server almost surely refused it for that, so
   * the transport reports 'unauthorized' instead of retrying forever.
   */
  missingToken?: boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: CoveApiError) => void;
}

interface Queued extends Pending {
  id: number;
  frame: string;
  timer: ReturnType<typeof setTimeout>;
}

// 1008 is RFC 6455's policy violation; 4401/4403 mirror HTTP for servers that
// use the private range. Retrying a refused token would only hammer the server.
const UNAUTHORIZED_CLOSE_CODES = new Set([1008, 4401, 4403]);

export class WebSocketTransport implements Omit<Transport, 'openTerminal' | 'desktop'> {
  readonly kind = 'websocket' as const;
  private socket: WebSocket | null = null;
  private state: ConnectionState = 'connecting';
  private attempt = 0;
  private everOpened = false;
  private nextId = 1;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Queued[] = [];
  private readonly eventListeners = new Set<(event: EngineEvent, subscription: string) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly createSocket: (url: string) => WebSocket;
  private readonly queueTimeoutMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: WebSocketTransportOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.queueTimeoutMs = options.queueTimeoutMs ?? 15_000;
    this.minBackoffMs = options.minBackoffMs ?? 250;
    // Short: `cove serve` keeps its address across restarts, so the engine is usually back within seconds.
    this.maxBackoffMs = options.maxBackoffMs ?? 4_000;
    this.connect();
  }

  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    return new Promise<ApiResult<M>>((resolve, reject) => {
      const id = this.nextId++;
      // The mapped ClientMessage union cannot be narrowed through a generic M.
      const message = { kind: 'request', id, method, params } as ClientMessage;
      const frame = JSON.stringify(message);
      const pending: Pending = { resolve: (value) => resolve(value as ApiResult<M>), reject };
      if (this.state === 'unauthorized') {
        reject(unauthorized());
      } else if (this.socket && this.state === 'open') {
        this.pending.set(id, pending);
        this.socket.send(frame);
      } else {
        const timer = setTimeout(() => this.expire(id), this.queueTimeoutMs);
        this.queue.push({ ...pending, id, frame, timer });
      }
    });
  }

  onEvent(listener: (event: EngineEvent, subscription: string) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  private connect(): void {
    this.reconnectTimer = null;
    let socket: WebSocket;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.everOpened = true;
      // Events flow only on subscriptions; each new socket opens its own (the old one's ended with it).
      this.subscribeToEvents(socket);
      this.setState('open');
      this.flushQueue();
    };
    socket.onmessage = (message: MessageEvent) => this.receive(message.data);
    socket.onclose = (close: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      // A request in flight may or may not have run; only the caller can
      // decide whether to retry, so it is told rather than silently resent.
      for (const pending of this.pending.values()) pending.reject(connectionLost());
      this.pending.clear();
      const refused = !this.everOpened && this.options.missingToken === true;
      if (refused || UNAUTHORIZED_CLOSE_CODES.has(close.code)) {
        this.setState('unauthorized');
        for (const queued of this.queue.splice(0)) {
          clearTimeout(queued.timer);
          queued.reject(unauthorized());
        }
        return;
      }
      this.setState('closed');
      this.scheduleReconnect();
    };
  }

  private subscribeToEvents(socket: WebSocket): void {
    const id = this.nextId++;
    this.pending.set(id, { resolve: () => undefined, reject: () => undefined });
    socket.send(JSON.stringify({ kind: 'request', id, method: 'events:subscribe', params: {} } satisfies ClientMessage));
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const ceiling = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.attempt);
    // Jitter keeps several tabs from reconnecting in lockstep after a restart.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.setState('connecting');
      this.connect();
    }, delay);
  }

  private flushQueue(): void {
    const socket = this.socket;
    if (!socket) return;
    for (const queued of this.queue.splice(0)) {
      clearTimeout(queued.timer);
      this.pending.set(queued.id, { resolve: queued.resolve, reject: queued.reject });
      socket.send(queued.frame);
    }
  }

  private expire(id: number): void {
    const index = this.queue.findIndex((queued) => queued.id === id);
    if (index < 0) return;
    const [queued] = this.queue.splice(index, 1);
    queued?.reject(
      new CoveApiError({ code: 'E_INTERNAL', message: 'Cannot reach the Cove engine. Is `cove serve` still running?' }),
    );
  }

  private receive(data: unknown): void {
    const message = parseServerMessage(data);
    if (!message) return;
    if (message.kind === 'event') {
      for (const listener of this.eventListeners) listener(message.event, message.subscription);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(toCoveApiError(message.error));
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

function unauthorized(): CoveApiError {
  return new CoveApiError({
    code: 'E_UNAUTHORIZED',
    message: 'The engine refused this page. Open the link that `cove serve` printed (it carries the access token).',
  });
}
