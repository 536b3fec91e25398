import type { ApiMethod, ApiParams, ApiResult } from '../../api/contract.js';

/** The handlers of one domain: exactly the methods whose names start with `${P}:`. */
export type DomainHandlers<P extends string> = {
  [M in ApiMethod as M extends `${P}:${string}` ? M : never]: (params: ApiParams<M>) => Promise<ApiResult<M>>;
};

/** All handlers: the compiler checks every method of the contract has one. */
export type AllHandlers = { [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResult<M>> };
