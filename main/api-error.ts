import type { ApiError, ErrorCode } from '../app/api/contract.js';

const CODE_SHAPE = /^E_[A-Z0-9_]+$/;

/**
 * Turns anything the engine threw into the {code, message} that crosses IPC.
 * Raw errors are never sent: their stacks leak paths and are no use to a user.
 */
export function toApiError(reason: unknown): ApiError {
  if (typeof reason === 'object' && reason !== null) {
    const { code, message } = reason as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && CODE_SHAPE.test(code) && typeof message === 'string') {
      return { code: code as ErrorCode, message };
    }
  }
  console.error('cove: unexpected engine failure', reason);
  const detail = reason instanceof Error && reason.message ? `: ${reason.message}` : '';
  return { code: 'E_INTERNAL', message: `Internal error in Cove${detail}. See the app log for details.` };
}
