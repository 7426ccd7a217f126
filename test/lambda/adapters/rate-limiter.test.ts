import { describe, expect, it } from 'vitest';
import { acquire, type Clock, TokenBucket } from '../../../lambda/adapters/rate-limiter.js';

/** A clock that only moves when someone sleeps, and remembers every sleep. */
class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** Acquires `count` times in a row from the buckets and returns the instant each request went. */
async function sendTimes(buckets: TokenBucket[], clock: FakeClock, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await acquire(buckets, clock);
    times.push(clock.now());
  }
  return times;
}

describe('TokenBucket', () => {
  it('allows the first request at once', () => {
    const bucket = new TokenBucket(5);

    expect(bucket.allowedAt(1_000)).toBe(1_000);
  });

  it('spaces booked requests 1/rate apart', () => {
    const bucket = new TokenBucket(4);

    bucket.commit(0);

    expect(bucket.allowedAt(0)).toBe(250);
  });

  it('lets a request go at once after the bucket was idle for longer than one interval', () => {
    const bucket = new TokenBucket(4);
    bucket.commit(0);

    expect(bucket.allowedAt(10_000)).toBe(10_000);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
    expect(() => new TokenBucket(-1)).toThrow(/ratePerSecond must be > 0, got -1/);
    expect(() => new TokenBucket(Number.NaN)).toThrow(RangeError);
  });
});

describe('acquire', () => {
  it('spaces requests at 1/rate with a burst of one', async () => {
    const clock = new FakeClock();

    const times = await sendTimes([new TokenBucket(5)], clock, 4);

    expect(times).toEqual([0, 200, 400, 600]);
  });

  it('lets a burst go back to back, then spaces the rest at 1/rate', async () => {
    const clock = new FakeClock();

    const times = await sendTimes([new TokenBucket(10, 3)], clock, 6);

    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('follows the slower of two buckets and books the same instant in both', async () => {
    const clock = new FakeClock();
    const shared = new TokenBucket(10);
    const perPool = new TokenBucket(2);

    const times = await sendTimes([shared, perPool], clock, 3);

    expect(times).toEqual([0, 500, 1_000]);
    // Both buckets were booked at 1000: the shared one now allows 1100, the per-pool one 1500.
    expect(shared.allowedAt(clock.now())).toBe(1_100);
    expect(perPool.allowedAt(clock.now())).toBe(1_500);
  });

  it('does not waste the shared bucket’s slots on a request another bucket holds back', async () => {
    const clock = new FakeClock();
    const shared = new TokenBucket(10);
    const poolA = new TokenBucket(1);
    const poolB = new TokenBucket(1);

    await acquire([shared, poolA], clock);
    await acquire([shared, poolA], clock);
    const afterA = clock.now();
    await acquire([shared, poolB], clock);

    expect(afterA).toBe(1_000);
    // Pool B only waits for the shared bucket's next slot after 1000, not for pool A.
    expect(clock.now()).toBe(1_100);
  });

  it('books distinct slots for concurrent callers that all start at the same instant', async () => {
    const sleeps: number[] = [];
    const frozen: Clock = {
      now: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    };
    const bucket = new TokenBucket(5);

    await Promise.all([acquire([bucket], frozen), acquire([bucket], frozen), acquire([bucket], frozen)]);

    expect(sleeps).toEqual([200, 400]);
  });

  it('does not sleep when a request is allowed now', async () => {
    const clock = new FakeClock();

    await acquire([new TokenBucket(5)], clock);

    expect(clock.sleeps).toEqual([]);
  });

  it('passes the abort signal to the clock', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(1);
    bucket.commit(0);
    const controller = new AbortController();
    controller.abort(new Error('run out of time'));
    const abortingClock: Clock = {
      now: () => clock.now(),
      sleep: async (_ms, signal) => {
        signal?.throwIfAborted();
      },
    };

    await expect(acquire([bucket], abortingClock, controller.signal)).rejects.toThrow('run out of time');
  });
});

describe('TokenBucket.penalize', () => {
  it('pushes the next request back by the pause after a throttle', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(5);
    await sendTimes([bucket], clock, 2);

    bucket.penalize(clock.now(), 1_000);
    const times = await sendTimes([bucket], clock, 2);

    // Throttled at 200: nothing goes before 200 + 1000, then the usual spacing.
    expect(clock.now()).toBe(200 + 1_000 + 200);
    expect(times).toEqual([1_200, 1_400]);
  });

  it('does not stack the pauses of several throttled answers arriving together', () => {
    const bucket = new TokenBucket(5);
    bucket.commit(0);

    for (let i = 0; i < 5; i++) bucket.penalize(1_000, 1_000);

    expect(bucket.allowedAt(1_000)).toBe(2_000);
  });

  it('pushes back from now when the bucket was idle', () => {
    const bucket = new TokenBucket(5);
    bucket.commit(0);

    bucket.penalize(5_000, 1_000);

    expect(bucket.allowedAt(5_000)).toBe(6_000);
  });
});
