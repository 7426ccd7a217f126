import { describe, expect, it } from 'vitest';
import { AdaptiveBucket, DEFAULT_ADAPTIVE_POLICY } from '../../../lambda/adapters/adaptive-rate.js';
import { Pacer, TokenBucket } from '../../../lambda/adapters/rate-limiter.js';
import { ManualClock } from '../../support/manual-timer-clock.js';

/**
 * A service whose real quota is `hiddenRps` (a GCRA bucket, burst 1, as AWS's own token buckets):
 * a request above it is throttled. Returns false for a throttle.
 */
function service(hiddenRps: number) {
  const quota = new TokenBucket(hiddenRps);
  return (now: number): boolean => {
    if (quota.allowedAt(now) > now) return false;
    quota.commit(now);
    return true;
  };
}

/**
 * `workers` callers share one adaptive category (as a run's pools do), each sending through the
 * pacer as the reader does: a throttle slows the category and pauses it 1 s. Returns, per call,
 * whether it was throttled, and the bucket.
 */
async function drive(options: { configuredRps: number; hiddenRps: number; calls: number; workers: number }) {
  const clock = new ManualClock();
  const pacer = new Pacer(clock);
  const bucket = new AdaptiveBucket(options.configuredRps);
  const admit = service(options.hiddenRps);
  const outcomes: { at: number; throttled: boolean }[] = [];
  const worker = async () => {
    while (outcomes.length < options.calls) {
      await pacer.acquire([bucket]);
      const now = clock.now();
      const ok = admit(now);
      outcomes.push({ at: now, throttled: !ok });
      if (ok) bucket.succeeded(now);
      else {
        bucket.throttled(now);
        bucket.penalize(now, 1000);
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, worker));
  while (outcomes.length < options.calls) await clock.runUntil(clock.time + 10_000);
  await clock.runUntil(clock.time + 60_000);
  await done;
  return { outcomes: outcomes.slice(0, options.calls), bucket };
}

describe('AdaptiveBucket', () => {
  it('halves on a throttle, once for a burst of throttles within the settle time, down to the floor', () => {
    const bucket = new AdaptiveBucket(10);

    expect(bucket.throttled(0)).toBe(true);
    expect(bucket.ratePerSecond).toBe(5);
    // Requests sent at the old rate come back throttled too: no second decrease for them.
    expect(bucket.throttled(500)).toBe(false);
    expect(bucket.ratePerSecond).toBe(5);
    for (let t = 1_000; t < 20_000; t += 1_000) bucket.throttled(t);

    expect(bucket.ratePerSecond).toBe(10 * DEFAULT_ADAPTIVE_POLICY.floor);
    expect(bucket.adaptation()).toEqual({ configuredRps: 10, heldRps: 0.5, lowestRps: 0.5, throttles: 21 });
  });

  it('recovers one step per quiet period, never to the rate that was refused', () => {
    const bucket = new AdaptiveBucket(10);
    bucket.throttled(0);
    const quiet = DEFAULT_ADAPTIVE_POLICY.quietMs;

    bucket.succeeded(quiet - 1);
    expect(bucket.ratePerSecond).toBe(5);
    bucket.succeeded(quiet);
    expect(bucket.ratePerSecond).toBe(5.5);
    for (let t = 2 * quiet; t <= 20 * quiet; t += quiet) bucket.succeeded(t);

    // Refused at 10: recovery stops at 90% of it.
    expect(bucket.ratePerSecond).toBe(9);
  });

  it('is not reported when nothing throttled, and does not move on success', () => {
    const bucket = new AdaptiveBucket(10);
    bucket.succeeded(1e9);

    expect(bucket.ratePerSecond).toBe(10);
    expect(bucket.adaptation()).toBeUndefined();
  });
});

describe('an adaptive category against a service whose real quota is lower than assumed', () => {
  // Assumed 10 rps (the table's neighbour), really 3: four callers share the category, 3,000 calls.
  const setup = { configuredRps: 10, hiddenRps: 3, calls: 3_000, workers: 4 };

  it('converges below the real rate, and the throttles stop: their number is bounded', async () => {
    const { outcomes, bucket } = await drive(setup);

    const throttles = outcomes.filter((o) => o.throttled).length;
    // Refused levels: 10, 5, then recovery probes capped at 90% of each refused rate (3.5, 3.15)
    // until the cap (2.835) is under 3; each refusal costs the throttles of one 1 s pause at most.
    expect(throttles).toBeGreaterThan(0);
    expect(throttles).toBeLessThanOrEqual(20);
    // The second half of the run is never throttled: the rate settled under the real quota.
    expect(outcomes.slice(setup.calls / 2).filter((o) => o.throttled)).toEqual([]);
    expect(bucket.ratePerSecond).toBeLessThan(setup.hiddenRps);
    // ... and not at the floor: it holds more than half the real quota.
    expect(bucket.ratePerSecond).toBeGreaterThan(setup.hiddenRps / 2);
    const tail = outcomes.slice(-500);
    const spanS = ((tail.at(-1)?.at ?? 0) - (tail[0]?.at ?? 0)) / 1000;
    expect(499 / spanS).toBeLessThanOrEqual(setup.hiddenRps);
    expect(bucket.adaptation()).toMatchObject({ configuredRps: 10, throttles });
  });

  it('never throttles and never slows when the real quota is the assumed one', async () => {
    const { outcomes, bucket } = await drive({ ...setup, hiddenRps: 10, calls: 500 });

    expect(outcomes.filter((o) => o.throttled)).toEqual([]);
    expect(bucket.ratePerSecond).toBe(10);
    expect(bucket.adaptation()).toBeUndefined();
  });
});
