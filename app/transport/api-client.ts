// The client side of the engine API, whatever carries it (in-process, the
// unix socket): calls, and subscriptions whose events reach the caller.
import { CoveApiError, type ApiError, type ApiMethod, type ApiParams, type ApiResult, type EngineEvent, type MethodsOfKind } from '../api/contract.js';
import type { Delivery } from '../engine/engine-api.js';

export type SubscribingMethod = MethodsOfKind<'subscription' | 'stream'>;

export interface Subscribed<M extends SubscribingMethod> {
  result: ApiResult<M>;
  /** Ends the subscription (`subscriptions:close`); a subscription the engine already ended is fine. */
  close(): Promise<void>;
}

export interface ApiClient {
  /** Rejects with a CoveApiError carrying the engine's code. */
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Calls a subscription or stream method; its events go to `onEvent`, none lost between the reply and the return. */
  subscribe<M extends SubscribingMethod>(method: M, params: ApiParams<M>, onEvent: (event: EngineEvent) => void): Promise<Subscribed<M>>;
  close(): Promise<void>;
}

/** What a transport gives the client: raw calls (rejecting with {code, message}) and a feed of deliveries. */
export interface ClientLink {
  call(method: ApiMethod, params: unknown): Promise<unknown>;
  close(): Promise<void>;
}

// Events of a subscription can arrive before the reply that names it; they
// wait here, up to a bound, for the caller to claim them.
const MAX_UNCLAIMED = 10_000;

export function createApiClient(link: ClientLink): ApiClient & { deliver(delivery: Delivery): void } {
  const listeners = new Map<string, (event: EngineEvent) => void>();
  const unclaimed = new Map<string, EngineEvent[]>();
  let unclaimedCount = 0;
  const call = async <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => {
    try {
      return (await link.call(method, params)) as ApiResult<M>;
    } catch (err) {
      throw err instanceof CoveApiError ? err : new CoveApiError(asApiError(err));
    }
  };
  return {
    call,
    async subscribe(method, params, onEvent) {
      const result = await call(method, params);
      const subscription = (result as { subscription: string }).subscription;
      listeners.set(subscription, onEvent);
      const early = unclaimed.get(subscription) ?? [];
      unclaimed.delete(subscription);
      unclaimedCount -= early.length;
      for (const event of early) onEvent(event);
      return {
        result,
        close: async () => {
          if (!listeners.delete(subscription)) return;
          await call('subscriptions:close', { subscription }).catch(() => undefined);
        },
      };
    },
    deliver({ subscription, event }) {
      const listener = listeners.get(subscription);
      if (listener) return listener(event);
      if (unclaimedCount >= MAX_UNCLAIMED) return;
      unclaimedCount++;
      const list = unclaimed.get(subscription);
      if (list) list.push(event);
      else unclaimed.set(subscription, [event]);
    },
    close: () => link.close(),
  };
}

function asApiError(err: unknown): ApiError {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof message === 'string') return { code: code as ApiError['code'], message };
  }
  return { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
