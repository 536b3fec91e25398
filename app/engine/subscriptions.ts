import crypto from 'node:crypto';
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';
import type { Delivery, EngineConnection } from './engine-api.js';
import { EngineError } from './errors.js';

/** What a subscription's source holds: it sends events and may end the subscription itself. */
export interface SubscriptionSink {
  readonly id: string;
  send(event: EngineEvent): void;
  /** The source is done (container removed, stream finished): forget the subscription. */
  end(): void;
}

/** Given to every handler; subscription and stream handlers open their subscription through it. */
export interface CallContext {
  /**
   * Opens a subscription owned by the calling connection. `release` runs
   * exactly once, when the subscription ends for any reason: closed by the
   * client, ended by the source, or its connection gone.
   */
  open(release: () => void): SubscriptionSink;
}

export type MethodHandler = (method: ApiMethod, params: unknown, ctx: CallContext) => Promise<unknown>;

interface Open {
  release: () => void;
}

const NO_CONNECTION: CallContext = {
  open: () => {
    throw new EngineError('E_INVALID_ARGUMENT', 'subscriptions need a connection: use connect(), not handle()');
  },
};

/**
 * The one subscription mechanism of every transport: a connection keeps the
 * subscriptions it opened, routes their events to itself only, and releases
 * them all when it closes. `subscriptions:close` is answered here, for every
 * kind of subscription alike.
 */
export class Connections {
  private readonly live = new Set<Connection>();
  constructor(private readonly handler: MethodHandler) {}

  connect(deliver: (delivery: Delivery) => void): EngineConnection {
    const connection = new Connection(this.handler, deliver, () => this.live.delete(connection));
    this.live.add(connection);
    return connection;
  }

  /** A call outside any connection: subscription methods are refused. */
  handle<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    if (method === 'subscriptions:close') return Promise.reject(new EngineError('E_INVALID_ARGUMENT', 'no such subscription'));
    return this.handler(method, params, NO_CONNECTION) as Promise<ApiResult<M>>;
  }

  /** Open subscriptions across every connection (tests, diagnostics). */
  get openCount(): number {
    let n = 0;
    for (const c of this.live) n += c.openCount;
    return n;
  }

  closeAll(): void {
    for (const c of [...this.live]) c.close();
  }
}

class Connection implements EngineConnection {
  private readonly subscriptions = new Map<string, Open>();
  private closed = false;

  constructor(
    private readonly handler: MethodHandler,
    private readonly deliver: (delivery: Delivery) => void,
    private readonly onClose: () => void,
  ) {}

  get openCount(): number {
    return this.subscriptions.size;
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    if (method === 'subscriptions:close') {
      const { subscription } = params as ApiParams<'subscriptions:close'>;
      if (!this.end(subscription)) throw new EngineError('E_INVALID_ARGUMENT', `no subscription ${subscription} on this connection`);
      return { subscription } as ApiResult<M>;
    }
    if (this.closed) throw new EngineError('E_CANCELLED', 'the connection is closed');
    return (await this.handler(method, params, { open: (release) => this.open(release) })) as ApiResult<M>;
  }

  private open(release: () => void): SubscriptionSink {
    const id = crypto.randomBytes(9).toString('base64url');
    if (this.closed) {
      // The client left while the call ran: nobody will ever close this one.
      release();
      throw new EngineError('E_CANCELLED', 'the connection closed before the subscription opened');
    }
    this.subscriptions.set(id, { release });
    return {
      id,
      send: (event) => {
        if (!this.subscriptions.has(id)) return;
        try {
          this.deliver({ subscription: id, event });
        } catch {
          // A transport that fails to write drops its connection; the engine carries on.
        }
      },
      end: () => void this.end(id),
    };
  }

  private end(id: string): boolean {
    const open = this.subscriptions.get(id);
    if (!open) return false;
    this.subscriptions.delete(id);
    try {
      open.release();
    } catch {
      // Releasing is best effort: a watcher that is already gone is fine.
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.subscriptions.keys()]) this.end(id);
    this.onClose();
  }
}
