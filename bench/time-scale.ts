/**
 * Scaled time for the benches (`--time-scale k`): the bench's clock runs k times as fast as the
 * wall clock. Every documented rate then holds per bench second, which is 1/k of a real second, so
 * the stand-in admits k × the documented rate per real second and the reader paces to the same;
 * the stand-in's latency is divided by k. Every figure a bench reports is in bench seconds (real
 * seconds × k): the run as it would take at the documented rates with the given latency.
 *
 * k > 1 shortens a long bench (1,000 pools at share 1.0: ≈ 13 minutes of real time at k = 1); k < 1
 * lengthens a CPU-bound one (400 targets in one process), so the process keeps up with the calls
 * the quotas allow. What does not scale: the SDK's retry backoff and CloudTrail stand-in pacing run
 * on the wall clock, and the detector's hard abort fires on it, after the invocation's soft stop.
 */
import { type Clock, systemClock } from '../lambda/adapters/rate-limiter.js';

/** A bench clock running `factor` times as fast as the wall clock. */
export interface TimeScale {
  /** k: bench milliseconds per real millisecond. */
  readonly factor: number;
  /** The reader's clock: now in bench ms, sleeps of bench ms. */
  readonly clock: Clock;
  /** Bench milliseconds since the wall clock's origin (the stand-in's `now`). */
  now(): number;
  /** The current bench time as a date (the detector's `now`). */
  date(): Date;
  /** Real milliseconds for a span of bench milliseconds (a latency, a timer). */
  real(benchMs: number): number;
}

/** Wall-clock origin of the bench dates: a fixed instant, so a scaled run's documents read alike. */
const EPOCH_MS = Date.parse('2026-12-01T00:00:00Z');

/** Throws on a factor that is not a positive finite number. `wall`: the real clock (tests pass a manual one). */
export function timeScale(factor: number, wall: Clock = systemClock): TimeScale {
  if (!(factor > 0 && Number.isFinite(factor)))
    throw new RangeError(`--time-scale must be a number > 0, got ${factor}`);
  const now = () => wall.now() * factor;
  const real = (benchMs: number) => benchMs / factor;
  return {
    factor,
    now,
    real,
    date: () => new Date(EPOCH_MS + now()),
    clock: { now, sleep: (ms, signal) => wall.sleep(real(ms), signal) },
  };
}
