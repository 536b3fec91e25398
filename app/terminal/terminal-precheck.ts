import type { ApiError, TerminalOpenParams } from '../api/contract.js';
import type { EngineHandle } from '../engine/engine-api.js';

/** Refuses a terminal for a container that is gone or stopped, with the engine's code. */
export function terminalPrecheck(engine: EngineHandle): (params: TerminalOpenParams) => Promise<ApiError | null> {
  return async (params) => {
    try {
      const inspect = await engine.handle('containers:inspect', { id: params.container });
      if (inspect.State.Running) return null;
      return { code: 'E_CONTAINER_NOT_RUNNING', message: `${params.container} is not running; start it to open a terminal.` };
    } catch (err) {
      const { code, message } = err as Partial<ApiError>;
      return typeof code === 'string' && typeof message === 'string' ? { code, message } : { code: 'E_INTERNAL', message: String(err) };
    }
  };
}
