/**
 * Lists are re-fetched on every engine event, so two fetches can overlap and
 * answer out of order; only the newest one may write to the store.
 */
export function latestOnly(): () => () => boolean {
  let generation = 0;
  return () => {
    const mine = ++generation;
    return () => mine === generation;
  };
}
