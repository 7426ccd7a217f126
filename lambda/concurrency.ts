/**
 * Runs `task` for each item, at most `concurrency` at a time, in the items' order. After a task
 * rejects no new item is started; the call rejects with the first error only once every started task
 * has settled, so nothing keeps running (and writing) after the caller has seen the failure.
 * `shouldStop` is asked before each item: true leaves the rest unstarted (out of time).
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure && !shouldStop()) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure) throw failure.error;
}
