/** The limits of one batched call (PutEvents, BatchImportFindings) and how it counts an item. */
export interface BatchLimits<T> {
  /** Items in one call at most. */
  maxItems: number;
  /** Bytes of all items of one call together at most. */
  maxBytes: number;
  /** Bytes of one item at most: a larger one is refused whatever the batch. */
  maxItemBytes: number;
  /** An item's size as the service counts it. */
  sizeOf: (item: T) => number;
  /** The error for an item over `maxItemBytes`: no call could carry it, so nothing is sent. */
  tooLarge: (item: T, size: number) => Error;
}

/** The items in calls, in order: each call within the item count and the byte total. */
export function sizedBatches<T>(items: readonly T[], limits: BatchLimits<T>): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = limits.sizeOf(item);
    if (size > limits.maxItemBytes) throw limits.tooLarge(item, size);
    if (batch.length === limits.maxItems || bytes + size > limits.maxBytes) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
