import { EngineError, isErrorCode } from './errors.js';

/**
 * The native tools report failure as one JSON line on a status fd; this
 * maps it to an EngineError with the same code.
 */
export function errorFromStatus(status: string, stderr: string, fallback: string): EngineError {
  for (const line of status.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(text) as { code?: unknown; message?: unknown };
      if (typeof parsed.message === 'string') {
        const code = isErrorCode(parsed.code) ? parsed.code : 'E_RUNTIME_FAILED';
        return new EngineError(code, withHint(code, parsed.message));
      }
    } catch {
      // not a status line
    }
  }
  const detail = stderr.trim().split('\n').slice(-3).join('; ');
  return new EngineError('E_RUNTIME_FAILED', detail ? `${fallback}: ${detail}` : fallback);
}

function withHint(code: string, message: string): string {
  switch (code) {
    case 'E_NEWUIDMAP_MISSING':
      return message.includes('apt-get') ? message : `${message}; install it with: sudo apt-get install uidmap`;
    case 'E_RUNTIME_EXEC':
      return message.includes('image') || !message.startsWith('exec') ? message : `${message} (check the command and the image's PATH)`;
    default:
      return message;
  }
}
