/**
 * Request pacing with the generic cell rate algorithm (a token bucket expressed as a schedule):
 * each bucket remembers the theoretical time its next request may go, so requests are spread
 * evenly at `ratePerSecond` with at most `burst` sent back to back.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private tat = Number.NEGATIVE_INFINITY;

  constructor(
    readonly ratePerSecond: number,
    readonly burst = 1,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = Math.max(0, burst - 1) * this.intervalMs;
  }

  /** The earliest time (ms) at which this bucket allows a request, given `now`. */
  allowedAt(now: number): number {
    return Math.max(now, this.tat - this.toleranceMs);
  }

  /** Books the slot at `at` (a time at or after {@link allowedAt}). */
  commit(at: number): void {
    this.tat = Math.max(this.tat, at) + this.intervalMs;
  }

  /** Pushes the schedule back after the service said "too many requests" (others share the quota). */
  penalize(now: number, pauseMs: number): void {
    this.tat = Math.max(this.tat, now) + pauseMs;
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Waits until every bucket allows a request, then books that same instant in all of them, so a
 * request held back by one bucket does not waste another's slot.
 */
export async function acquire(
  buckets: readonly TokenBucket[],
  clock: Clock,
  signal?: AbortSignal,
): Promise<void> {
  const now = clock.now();
  const at = Math.max(...buckets.map((b) => b.allowedAt(now)));
  for (const bucket of buckets) bucket.commit(at);
  if (at > now) await clock.sleep(at - now, signal);
}
