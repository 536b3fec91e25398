import type { ApiError, ErrorCode } from '../api/contract.js';
import { ERROR_CODES } from '../api/contract.js';

/**
 * The one error type of the engine. `code` is stable across every transport
 * (docs/errors.md lists them); `message` says what happened and what to do.
 */
export class EngineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
  }

  toApiError(): ApiError {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

export function isNoSpace(err: unknown): boolean {
  return err instanceof Error && NO_SPACE.has((err as NodeJS.ErrnoException).code ?? '');
}

/**
 * A full filesystem (ENOSPC) or quota (EDQUOT) as E_NO_SPACE naming where;
 * any other error unchanged. `where` is used when the error carries no path
 * (write(2) on a descriptor).
 */
export function noSpace(err: unknown, where?: string): unknown {
  if (!isNoSpace(err)) return err;
  const at = (err as NodeJS.ErrnoException).path ?? where;
  return new EngineError(
    'E_NO_SPACE',
    `no space left on the filesystem${at ? ` holding ${at}` : ''}: free some space (cove system df shows what Cove uses; cove image prune, cove container prune) and try again`,
    { cause: err },
  );
}

/**
 * Any thrown value as the {code, message} that crosses a transport; the one
 * mapping every transport and client uses. EngineErrors (and errors that
 * already carry a known code, e.g. from a remote engine) keep their code and
 * message. Anything else is a bug or an unforeseen system failure: its
 * message and stack may hold paths and internals, so only its errno-style
 * code goes out, and `report` (a log) gets the whole error.
 */
export function toApiError(err: unknown, report: (err: unknown) => void = () => undefined): ApiError {
  if (err instanceof EngineError) return err.toApiError();
  if (isNoSpace(err)) return (noSpace(err) as EngineError).toApiError();
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (isErrorCode(code) && typeof message === 'string') return { code, message };
  }
  report(err);
  const sys = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const detail = typeof sys === 'string' && /^[A-Z][A-Z0-9_]{1,31}$/.test(sys) ? ` (${sys})` : '';
  return { code: 'E_INTERNAL', message: `Internal error in Cove${detail}; the engine's log has the details.` };
}

export function isNodeError(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
