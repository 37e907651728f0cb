/**
 * Runs `work` over `items` with at most `lanes` in flight. Each lane takes the next item
 * when its current one finishes. (A `condition(() => inFlight < max)` per item would not
 * do: every waiter sees the same free slot in one activation and all of them start.)
 * After the first failure no new item starts; the ones in flight finish, then it throws.
 */
export async function inLanes<T, R>(items: readonly T[], lanes: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failed) throw firstError;
  return results;
}
