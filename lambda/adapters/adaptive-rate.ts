import { TokenBucket } from './rate-limiter.js';

/**
 * How a category's pacer answers throttling: multiplicative decrease, slow additive recovery.
 * Fractions are of the configured rate (the documented quota times the quota share).
 */
export interface AdaptivePolicy {
  /** The rate is multiplied by this on a throttle. */
  readonly decrease: number;
  /** The lowest rate, as a fraction of the configured one. */
  readonly floor: number;
  /** Time without a throttle before each step back up (ms). */
  readonly quietMs: number;
  /** Each step back up, as a fraction of the configured rate. */
  readonly step: number;
  /**
   * Recovery stops at this fraction of the rate that last throttled: a rate the account refused is
   * not tried again in this run, so the pacer settles below the real quota instead of probing it.
   */
  readonly ceiling: number;
  /** Throttles this soon after a decrease answer requests sent before it: they do not decrease again (ms). */
  readonly settleMs: number;
}

/** Halve on a throttle, down to 5%; after 30 s of quiet, 5% back up, to 90% of the rate that throttled. */
export const DEFAULT_ADAPTIVE_POLICY: AdaptivePolicy = {
  decrease: 0.5,
  floor: 0.05,
  quietMs: 30_000,
  step: 0.05,
  ceiling: 0.9,
  settleMs: 1_000,
};

/** What a throttled category did in a run, for the run log and the `Throttles` metric. */
export interface RateAdaptation {
  /** The rate the run started with (requests per second). */
  configuredRps: number;
  /** The rate in effect at the end: the one that held. */
  heldRps: number;
  /** The lowest rate the category went down to. */
  lowestRps: number;
  throttles: number;
}

/**
 * A token bucket whose rate follows the account's real quota: when the service throttles, it
 * slows for the rest of the run (the run's reader owns it, so the next run starts from the
 * documented rate again), and it recovers slowly after quiet periods. A category whose quota
 * was assumed wrong so corrects itself instead of leaning on the SDK's retries.
 */
export class AdaptiveBucket extends TokenBucket {
  private throttles = 0;
  private lowest: number;
  /** Highest rate recovery may reach: the configured rate until a throttle. */
  private cap: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** When the rate last changed or the last throttle came: recovery counts quiet time from here. */
  private quietSince = Number.NEGATIVE_INFINITY;

  constructor(
    readonly configuredRps: number,
    private readonly policy: AdaptivePolicy = DEFAULT_ADAPTIVE_POLICY,
  ) {
    super(configuredRps);
    this.lowest = configuredRps;
    this.cap = configuredRps;
  }

  /** The service said "too many requests" at `now`. Returns true when the rate went down. */
  throttled(now: number): boolean {
    this.throttles += 1;
    this.quietSince = now;
    if (now - this.lastDecreaseAt < this.policy.settleMs) return false;
    const rate = this.ratePerSecond;
    const next = Math.max(this.configuredRps * this.policy.floor, rate * this.policy.decrease);
    this.cap = Math.max(next, Math.min(this.cap, rate * this.policy.ceiling));
    this.lastDecreaseAt = now;
    if (next >= rate) return false;
    this.setRate(next);
    this.lowest = Math.min(this.lowest, next);
    return true;
  }

  /** A request went through at `now`: after a quiet period, one step back up (never above the cap). */
  succeeded(now: number): void {
    if (this.throttles === 0 || this.ratePerSecond >= this.cap) return;
    if (now - this.quietSince < this.policy.quietMs) return;
    this.setRate(Math.min(this.cap, this.ratePerSecond + this.configuredRps * this.policy.step));
    this.quietSince = now;
  }

  /** What this category did, or undefined when it was never throttled. */
  adaptation(): RateAdaptation | undefined {
    if (this.throttles === 0) return undefined;
    return {
      configuredRps: this.configuredRps,
      heldRps: this.ratePerSecond,
      lowestRps: this.lowest,
      throttles: this.throttles,
    };
  }
}
