import fs from 'node:fs';

/**
 * Resolves true once `check` holds, false after `timeoutMs`. The monitor
 * writes pid, start and exit files into the container directory, so an
 * inotify watch on it (fs.watch) wakes us when the state can have changed.
 * The slow re-check covers what writes no file: a process killed together
 * with its monitor.
 */
export function waitForState(dir: string, check: () => Promise<boolean>, timeoutMs: number, recheckMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    let running = false;
    let again = false;
    let watcher: fs.FSWatcher | undefined;
    const finish = (value: boolean): void => {
      if (done) return;
      done = true;
      watcher?.close();
      clearInterval(interval);
      if (timer) clearTimeout(timer);
      resolve(value);
    };
    const evaluate = (): void => {
      if (done) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      void check()
        .catch(() => false)
        .then((ok) => {
          running = false;
          if (ok) finish(true);
          else if (again) {
            again = false;
            evaluate();
          }
        });
    };
    try {
      watcher = fs.watch(dir, { persistent: false }, evaluate);
      watcher.on('error', () => undefined);
    } catch {
      // The directory went away (removed): the check decides.
    }
    const interval = setInterval(evaluate, recheckMs);
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => finish(false), timeoutMs) : undefined;
    evaluate();
  });
}
