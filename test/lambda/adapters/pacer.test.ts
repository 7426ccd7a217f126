import { describe, expect, it } from 'vitest';
import { Pacer, TokenBucket } from '../../../lambda/adapters/rate-limiter.js';
import { ManualClock } from '../../support/manual-timer-clock.js';

/** Starts an acquire and records the clock time at which it was granted. */
function granted(
  pacer: Pacer,
  clock: ManualClock,
  buckets: TokenBucket[],
  priority = 0,
  signal?: AbortSignal,
) {
  const record: { at?: number; error?: unknown } = {};
  pacer.acquire(buckets, priority, signal).then(
    () => {
      record.at = clock.now();
    },
    (error: unknown) => {
      record.error = error;
    },
  );
  return record;
}

describe('Pacer', () => {
  it('gives the shared slot to another pool while one pool’s own bucket holds its request back', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock);
    const shared = new TokenBucket(10);
    const poolA = new TokenBucket(1);
    const poolB = new TokenBucket(1);

    const a1 = granted(pacer, clock, [shared, poolA]);
    const a2 = granted(pacer, clock, [shared, poolA]);
    const b1 = granted(pacer, clock, [shared, poolB]);
    await clock.runUntil(2_000);

    expect(a1.at).toBe(0);
    // Pool B goes at the shared bucket's next slot; pool A's second request does not push it out.
    expect(b1.at).toBe(100);
    expect(a2.at).toBe(1_000);
  });

  it('serves the lower priority first when several can go', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock);
    const shared = new TokenBucket(10);
    const order: string[] = [];

    await pacer.acquire([shared]);
    void pacer.acquire([shared], 2).then(() => order.push('younger pool'));
    void pacer.acquire([shared], 1).then(() => order.push('older pool'));
    await clock.runUntil(500);

    expect(order).toEqual(['older pool', 'younger pool']);
  });

  it('rejects a waiter whose signal aborts and serves the others', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock);
    const shared = new TokenBucket(10);
    const controller = new AbortController();

    await pacer.acquire([shared]);
    const aborted = granted(pacer, clock, [shared], 0, controller.signal);
    const other = granted(pacer, clock, [shared]);
    controller.abort(new Error('invocation time limit'));
    await clock.runUntil(500);

    expect(aborted.error).toEqual(new Error('invocation time limit'));
    expect(other.at).toBe(100);
    expect(pacer.waiting).toBe(0);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const pacer = new Pacer(new ManualClock());

    await expect(
      pacer.acquire([new TokenBucket(1)], 0, AbortSignal.abort(new Error('gone'))),
    ).rejects.toThrow('gone');
  });

  it('keeps the configured rate when every timer fires late', async () => {
    const clock = new ManualClock(5);
    const pacer = new Pacer(clock);
    const bucket = new TokenBucket(10);
    const times: number[] = [];

    const loop = (async () => {
      for (let i = 0; i < 11; i++) {
        await pacer.acquire([bucket]);
        times.push(clock.now());
      }
    })();
    await clock.runUntil(5_000);
    await loop;

    // 5 ms late each, but on the 100 ms grid: the 11th request goes at 1005, not 1050.
    expect(times.at(-1)).toBe(1_005);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100 - 25);
  });

  it('follows a throttling pause pushed into a bucket while requests wait', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(clock);
    const bucket = new TokenBucket(10);

    await pacer.acquire([bucket]);
    const next = granted(pacer, clock, [bucket]);
    bucket.penalize(clock.now(), 1_000);
    await clock.runUntil(2_000);

    // Throttled at 0: the waiting request goes at 0 + 1000, not at its old slot (100).
    expect(next.at).toBe(1_000);
  });
});
