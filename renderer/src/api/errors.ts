import { CoveApiError, type ErrorCode } from '../../../app/api/contract';

// The engine may grow codes this build of the UI does not list yet; the code
// string is still the most useful thing to show, so anything shaped like a
// code is kept rather than collapsed to E_INTERNAL.
const CODE_SHAPE = /^E_[A-Z0-9_]+$/;

function asErrorCode(value: unknown): ErrorCode | null {
  return typeof value === 'string' && CODE_SHAPE.test(value) ? (value as ErrorCode) : null;
}

/** Normalizes whatever a transport rejected with into a CoveApiError. */
export function toCoveApiError(reason: unknown): CoveApiError {
  if (reason instanceof CoveApiError) return reason;
  if (typeof reason === 'object' && reason !== null) {
    const { code, message } = reason as { code?: unknown; message?: unknown };
    const known = asErrorCode(code);
    if (known && typeof message === 'string') return new CoveApiError({ code: known, message });
    if (typeof message === 'string') return new CoveApiError({ code: 'E_INTERNAL', message });
  }
  return new CoveApiError({ code: 'E_INTERNAL', message: 'Unexpected error from the Cove engine.' });
}

/** What an error banner shows of whatever a call rejected with. */
export function errorShape(reason: unknown): { code: ErrorCode; message: string } {
  const e = toCoveApiError(reason);
  return { code: e.code, message: e.message };
}

export function connectionLost(): CoveApiError {
  return new CoveApiError({ code: 'E_INTERNAL', message: 'Lost the connection to the Cove engine before it answered.' });
}
