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

/** Any thrown value as an ApiError; unknown failures become E_INTERNAL. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof EngineError) return err.toApiError();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'E_INTERNAL', message };
}

export function isNodeError(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
