/**
 * One limit for every socket transport: the largest WebSocket message on
 * /api and the longest line on the unix socket. The validator refuses params
 * larger than MAX_PARAMS_BYTES, so any request it accepts also fits in a
 * frame (the rest is the envelope: kind, id, method).
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
export const MAX_PARAMS_BYTES = MAX_FRAME_BYTES - 1024;
/** /term carries keystrokes, pastes and resizes; a paste of a megabyte is already generous. */
export const MAX_TERMINAL_FRAME_BYTES = 1024 * 1024;

/** The UTF-8 size of params as they travel in a frame, or Infinity if they cannot be encoded. */
export function encodedSize(params: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(params ?? {}), 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
