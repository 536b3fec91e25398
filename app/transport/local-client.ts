import type { EngineHandle } from '../engine/engine-api.js';
import { toApiError } from '../engine/errors.js';
import { createApiClient, type ApiClient } from './api-client.js';

/**
 * The engine API in this very process (the CLI when no engine runs): the
 * same connection, subscriptions and error mapping as a remote client gets.
 * `report` receives unexpected errors in full (the CLI prints them: it is
 * its own log).
 */
export function connectInProcess(engine: EngineHandle, report?: (err: unknown) => void): ApiClient {
  const client = createApiClient({
    call: async (method, params) => {
      try {
        return await connection.call(method, params as never);
      } catch (err) {
        throw toApiError(err, report);
      }
    },
    close: async () => connection.close(),
  });
  const connection = engine.connect((delivery) => client.deliver(delivery));
  return client;
}
