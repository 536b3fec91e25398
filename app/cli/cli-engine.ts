// How a CLI verb reaches the engine: through the engine API, over the unix
// socket of an engine that already runs (the desktop app, `cove serve`), or
// in this process when none does. Only what is bound to this very process
// (its terminal for run/exec/attach, a server it hosts) uses `local()`.
import type { ApiMethod, ApiParams, ApiResult, EngineEvent } from '../api/contract.js';
import type { Engine } from '../engine/engine.js';
import { resolvePaths, type CovePaths } from '../engine/paths.js';
import type { ApiClient, SubscribingMethod, Subscribed } from '../transport/api-client.js';
import { connectRunningEngine } from '../transport/engine-socket.js';


export interface CliEngine extends ApiClient {
  readonly paths: CovePaths;
  /** True when calls go to an engine that already runs, over its socket. */
  readonly remote: boolean;
  /** This process's own engine, opened on first use. */
  local(): Promise<Engine>;
}

export interface CliEngineOptions {
  /** A long-lived engine in this process (serve, system service): it watches the store and samples stats. */
  host: boolean;
  /** Unexpected errors in full, for the user (the CLI is its own log when the engine runs in-process). */
  report(err: unknown): void;
}

export async function openCliEngine(options: CliEngineOptions): Promise<CliEngine> {
  const paths = resolvePaths(process.env);
  let local: Promise<Engine> | undefined;
  // Loaded only when needed: a verb served by a running engine never compiles the engine.
  const openLocal = (): Promise<Engine> => (local ??= import('../engine/engine.js').then(({ Engine }) => Engine.open({ watch: options.host })));
  const remote = options.host ? null : await connectRunningEngine(paths).catch((err: unknown) => {
    // A socket we may not trust is reported once; the work goes on in-process.
    options.report(err);
    return null;
  });
  const client: ApiClient = remote ?? (await import('../transport/local-client.js')).connectInProcess(await openLocal(), options.report);
  return {
    paths,
    remote: remote !== null,
    local: openLocal,
    call: <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => client.call(method, params),
    subscribe: <M extends SubscribingMethod>(method: M, params: ApiParams<M>, onEvent: (event: EngineEvent) => void): Promise<Subscribed<M>> => client.subscribe(method, params, onEvent),
    close: async () => {
      await client.close();
      if (local) await (await local).close();
    },
  };
}
