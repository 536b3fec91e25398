import type { ApiMethod, ApiParams, ApiResult } from '../../api/contract.js';
import type { CallContext } from '../subscriptions.js';

/** Answered by the connection itself (app/engine/subscriptions.ts), for every subscription alike. */
export type ConnectionMethod = 'subscriptions:close';
export type HandledMethod = Exclude<ApiMethod, ConnectionMethod>;

export type Handler<M extends ApiMethod> = (params: ApiParams<M>, ctx: CallContext) => Promise<ApiResult<M>>;

/** The handlers of one domain: exactly the methods whose names start with `${P}:`. */
export type DomainHandlers<P extends string> = {
  [M in HandledMethod as M extends `${P}:${string}` ? M : never]: Handler<M>;
};

/** All handlers: the compiler checks every method of the table has one. */
export type AllHandlers = { [M in HandledMethod]: Handler<M> };
