/**
 * Request pacing with the generic cell rate algorithm (a token bucket expressed as a schedule):
 * each bucket remembers the theoretical time its next request may go, so requests are spread
 * evenly at `ratePerSecond` with at most `burst` sent back to back.
 */
export class TokenBucket {
  private intervalMs = 0;
  private toleranceMs = 0;
  private rate = 0;
  private tat = Number.NEGATIVE_INFINITY;

  constructor(
    ratePerSecond: number,
    readonly burst = 1,
  ) {
    this.setRate(ratePerSecond);
  }

  /** Requests per second this bucket hands out now. */
  get ratePerSecond(): number {
    return this.rate;
  }

  /**
   * Changes the rate from the next booking on (an adaptive pacer slows a throttled category);
   * slots already booked stay where they are.
   */
  setRate(ratePerSecond: number): void {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    this.rate = ratePerSecond;
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = Math.max(0, this.burst - 1) * this.intervalMs;
  }

  /** The earliest time (ms) at which this bucket allows a request, given `now`. */
  allowedAt(now: number): number {
    return Math.max(now, this.tat - this.toleranceMs);
  }

  /** The earliest time this bucket allows a request, unclamped: in the past when it has been idle. */
  readyAt(): number {
    return this.tat - this.toleranceMs;
  }

  /** Books the slot at `at` (a time at or after {@link allowedAt}). */
  commit(at: number): void {
    this.tat = Math.max(this.tat, at) + this.intervalMs;
  }

  /** Pushes the schedule back after the service said "too many requests" (others share the quota). */
  penalize(now: number, pauseMs: number): void {
    // Nothing goes before now + pause. Not cumulative: a burst of throttled answers (one per request
    // in flight) is one pause, not one each; the SDK's own backoff handles repeated throttling.
    this.tat = Math.max(this.tat, now + pauseMs);
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
 * Waits until every bucket allows a request, then books that same instant in all of them.
 * It books ahead: concurrent callers held back by one bucket (a pool's) push the other (the
 * account's) schedule out and leave its earlier slots unused. For concurrent callers use {@link Pacer}.
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

/**
 * A timer fires a few milliseconds late. A grant up to this late is booked at the instant it became
 * due, so the schedule stays on its grid instead of drifting later by every timer's lateness (1-5%
 * of the rate on a busy event loop). Sends are still at least 1/rate minus this apart.
 */
const LATE_GRANT_MS = 25;

interface Waiter {
  buckets: readonly TokenBucket[];
  priority: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
}

/**
 * Hands out request slots from several token buckets to concurrent callers, without booking ahead.
 *
 * A waiter gets a slot only when every bucket it needs allows one now, and then books it in all of
 * them; the other waiters keep waiting. So a request that its pool's bucket holds back never takes
 * (or pushes out) a slot of the account's bucket that another pool's request could use: the shared
 * schedule stays full whenever anyone can use it.
 *
 * Among waiters that can go, the lowest `priority` goes first, then the earliest to arrive. The
 * reader gives each pool the order in which it started, so pools finish one after the other instead
 * of all together at the end: the scan's tail is short, and a run stopped by the time limit leaves
 * few pools half read.
 */
export class Pacer {
  private readonly waiters: Waiter[] = [];
  private wake: { at: number; cancel: AbortController } | undefined;
  /**
   * One abort listener per signal, with how many waiters use it: a run passes one signal to every
   * pool, and a listener per waiter would trip Node's MaxListenersExceededWarning.
   */
  private readonly signals = new Map<AbortSignal, { waiters: number; onAbort: () => void }>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Waiting callers, for tests and the run log. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves when a slot is booked in every bucket; rejects with the signal's reason when it aborts first. */
  acquire(buckets: readonly TokenBucket[], priority = 0, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { buckets, priority, resolve, reject, signal };
      if (signal) this.watch(signal);
      // Sorted by (priority, arrival): insert after the last waiter that goes before this one.
      let index = this.waiters.length;
      while (index > 0 && (this.waiters[index - 1]?.priority ?? 0) > priority) index -= 1;
      this.waiters.splice(index, 0, waiter);
      this.pump();
    });
  }

  /** Grants every waiter that can go now, in order, then sleeps until the next one can. */
  private pump(): void {
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const waiter of [...this.waiters]) {
      const ready = Math.max(...waiter.buckets.map((b) => b.readyAt()));
      if (ready > now) {
        next = Math.min(next, ready);
        continue;
      }
      // Booked when it became due (a late timer), or now when the buckets have been idle.
      const at = ready >= now - LATE_GRANT_MS ? ready : now;
      for (const bucket of waiter.buckets) bucket.commit(at);
      this.remove(waiter);
      waiter.resolve();
    }
    if (next === Number.POSITIVE_INFINITY || (this.wake && this.wake.at <= next)) return;
    this.wake?.cancel.abort();
    const wake = { at: next, cancel: new AbortController() };
    this.wake = wake;
    this.clock.sleep(next - now, wake.cancel.signal).then(
      () => {
        if (this.wake !== wake) return;
        this.wake = undefined;
        this.pump();
      },
      () => {
        // Replaced by an earlier wake-up.
      },
    );
  }

  private remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
    const watched = waiter.signal && this.signals.get(waiter.signal);
    if (!waiter.signal || !watched) return;
    watched.waiters -= 1;
    if (watched.waiters > 0) return;
    waiter.signal.removeEventListener('abort', watched.onAbort);
    this.signals.delete(waiter.signal);
  }

  private watch(signal: AbortSignal): void {
    const watched = this.signals.get(signal);
    if (watched) {
      watched.waiters += 1;
      return;
    }
    const onAbort = () => {
      for (const waiter of this.waiters.filter((w) => w.signal === signal)) {
        this.remove(waiter);
        waiter.reject(signal.reason);
      }
      this.pump();
    };
    this.signals.set(signal, { waiters: 1, onAbort });
    signal.addEventListener('abort', onAbort, { once: true });
  }
}
