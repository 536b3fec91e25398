import { useEffect, useState } from 'react';

/**
 * A clock for "3 minutes ago" labels. It only re-renders; it never calls the
 * engine, so it is not the polling the design forbids.
 */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
