import type { ApiError, EngineEvent, ServerMessage } from '../../../app/api/contract';

// Frames come from the network, so they are checked before the store sees
// them; a malformed frame is dropped rather than trusted.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isApiError(value: unknown): value is ApiError {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

function isEngineEvent(value: unknown): value is EngineEvent {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'container':
    case 'image':
    case 'volume':
      return typeof value.action === 'string' && typeof value.id === 'string';
    case 'task':
      return isRecord(value.task) && typeof value.task.id === 'string' && Array.isArray(value.task.layers);
    case 'logs':
      return typeof value.subscription === 'string' && Array.isArray(value.lines);
    case 'stats':
      return Array.isArray(value.samples);
    case 'data':
      return typeof value.subscription === 'string' && typeof value.data === 'string';
    default:
      return false;
  }
}

export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value.kind === 'event') {
    return isEngineEvent(value.event) && typeof value.subscription === 'string' ? { kind: 'event', subscription: value.subscription, event: value.event } : null;
  }
  if (value.kind !== 'response' || typeof value.id !== 'number') return null;
  if (value.ok === true) return { kind: 'response', id: value.id, ok: true, result: value.result };
  if (value.ok === false && isApiError(value.error)) {
    return { kind: 'response', id: value.id, ok: false, error: value.error };
  }
  return null;
}
