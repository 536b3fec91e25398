import { useState } from 'react';
import { toCoveApiError } from '../api/errors';
import { useAppStore } from '../store/use-app-store';

type ShownError = { code: string; message: string };

/**
 * A dialog that starts an engine task (pull, build): the task's id once
 * started, its live progress from the store's jobs, whether the start is in
 * flight, and the error to show if it failed to start.
 */
export function useTaskStart() {
  const [taskId, setTaskId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const task = useAppStore((s) => (taskId ? s.jobs.find((j) => j.id === taskId) : undefined));
  const start = async (begin: () => Promise<string>, toError: (reason: unknown) => ShownError = toCoveApiError): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setTaskId(await begin());
    } catch (reason) {
      const err = toError(reason);
      setError({ code: err.code, message: err.message });
    } finally {
      setBusy(false);
    }
  };
  return { taskId, task, busy, error, start };
}
