/**
 * The stand-in's quotas and counters: token buckets per category and per pool and operation, a sliding
 * window for the peak rates, and the statistics tests read. Time is whatever clock the caller passes.
 *
 * @module
 */
import { QUOTAS } from '../../lambda/adapters/quotas.js';
import { ALL_CATEGORIES, type QuotaCategory } from './standin-protocol.js';

/** Counters of one quota category or one pool. */
export interface CategoryStats {
  /** Requests received. */
  calls: number;
  /** Requests that got a token. */
  admitted: number;
  /** Requests rejected by the quota. */
  throttled: number;
  /**
   * Highest number of admitted requests in any sliding 1 s window. With `burstSeconds` 1 this can reach
   * up to 2 × rate (a full bucket plus one second of refill).
   */
  peakRate: number;
}

/** Snapshot of the stand-in's counters (see {@link CognitoStandin.stats}). */
export interface StandinStats {
  /** Requests received, all operations. */
  totalCalls: number;
  /** Requests received per operation name (throttled and failed ones included). */
  calls: Record<string, number>;
  /** Requests rejected by the quotas (TooManyRequestsException, HTTP 400). Injected throttles are not counted. */
  throttled: number;
  /** Quota rejections per operation. */
  throttledByOperation: Record<string, number>;
  /** Error responses other than quota rejections, by `__type` (injected ones included). */
  errors: Record<string, number>;
  /** Responses produced by fault injection. */
  injected: number;
  /** Per quota category (account level). */
  byCategory: Record<QuotaCategory, CategoryStats>;
  /** `UserPoolClientRead` counters per pool id. */
  byPool: Record<string, CategoryStats>;
  /** Max of `byPool[*].peakRate`. */
  peakPerPoolRate: number;
  /** Counters of every per-pool-limited operation, by pool id then operation (the per-pool buckets). */
  byPoolOperation: Record<string, Record<string, CategoryStats>>;
  /** Max of `byPoolOperation[*][*].peakRate`. */
  peakPerPoolOperationRate: number;
  /** Requests currently being processed. */
  inFlight: number;
  /** Highest `inFlight` seen. */
  peakConcurrency: number;
}

/** A token bucket: `rate` tokens per second up to `capacity`, refilled by the time passed. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  constructor(
    private readonly rate: number,
    capacity: number,
    now: number,
  ) {
    this.capacity = Math.max(1, capacity);
    this.tokens = this.capacity;
    this.last = now;
  }
  private refill(now: number): void {
    if (now <= this.last) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
  available(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }
  take(): void {
    this.tokens -= 1;
  }
}

/**
 * The buckets of the account-scoped categories (`scope: 'account'` in `lambda/adapters/quotas.ts`:
 * IAM, a global service), one per account and category, shared by the stand-ins of that account's
 * Regions: AWS keeps one rate for the account, whichever Region's client calls.
 */
export class AccountBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  /**
   * The account's bucket of `category`, made by `make` when there is none: after a reset, the
   * first of the account's targets to ask sets its rate (configure an account's targets alike).
   */
  of(accountId: string, category: QuotaCategory, make: () => TokenBucket): TokenBucket {
    const key = `${accountId}|${category}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = make();
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Drops the account's buckets: they are made full on their next use. */
  reset(accountId: string): void {
    for (const key of this.buckets.keys()) if (key.startsWith(`${accountId}|`)) this.buckets.delete(key);
  }
}

/** Sliding 1 s window of admitted-request timestamps, tracking its peak size. */
export class RateWindow {
  private times: number[] = [];
  private head = 0;
  peak = 0;
  add(now: number): void {
    this.times.push(now);
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - 1000) this.head++;
    if (this.head > 1024) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    this.peak = Math.max(this.peak, this.times.length - this.head);
  }
}

/** Zeroed counters of one category or pool. */
export function newCategoryStats(): CategoryStats {
  return { calls: 0, admitted: 0, throttled: 0, peakRate: 0 };
}

/** Adds one to a named counter. */
export function inc(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

/** The documented rates of every category, from `lambda/adapters/quotas.ts`. */
export function defaultRates(): Record<QuotaCategory, { rps: number; perPool?: number }> {
  return Object.fromEntries(
    ALL_CATEGORIES.map((k) => {
      const q = QUOTAS[k];
      return [
        k,
        q.perPoolPerOperationRps === undefined
          ? { rps: q.rps }
          : { rps: q.rps, perPool: q.perPoolPerOperationRps },
      ];
    }),
  ) as Record<QuotaCategory, { rps: number; perPool?: number }>;
}

/** Zeroed counters. */
export function freshCounters() {
  return {
    totalCalls: 0,
    calls: {} as Record<string, number>,
    throttled: 0,
    throttledByOperation: {} as Record<string, number>,
    errors: {} as Record<string, number>,
    injected: 0,
    byCategory: Object.fromEntries(ALL_CATEGORIES.map((k) => [k, newCategoryStats()])) as Record<
      QuotaCategory,
      CategoryStats
    >,
    windows: Object.fromEntries(ALL_CATEGORIES.map((k) => [k, new RateWindow()])) as Record<
      QuotaCategory,
      RateWindow
    >,
    byPool: new Map<string, CategoryStats>(),
    poolWindows: new Map<string, RateWindow>(),
    byPoolOperation: new Map<string, CategoryStats>(),
    poolOperationWindows: new Map<string, RateWindow>(),
    peakConcurrency: 0,
  };
}

/** The stand-in's counters. */
export type Counters = ReturnType<typeof freshCounters>;

/** A snapshot of the counters (copy; safe to keep). */
export function statsOf(c: Counters, inFlight: number): StandinStats {
  const cat = (s: CategoryStats, w: RateWindow): CategoryStats => ({ ...s, peakRate: w.peak });
  const byPool: Record<string, CategoryStats> = {};
  let peakPerPoolRate = 0;
  for (const [id, s] of c.byPool) {
    const w = c.poolWindows.get(id);
    byPool[id] = { ...s, peakRate: w?.peak ?? 0 };
    peakPerPoolRate = Math.max(peakPerPoolRate, w?.peak ?? 0);
  }
  const byPoolOperation: Record<string, Record<string, CategoryStats>> = {};
  let peakPerPoolOperationRate = 0;
  for (const [key, s] of c.byPoolOperation) {
    const [poolId = '', op = ''] = key.split('|');
    const peak = c.poolOperationWindows.get(key)?.peak ?? 0;
    byPoolOperation[poolId] ??= {};
    byPoolOperation[poolId][op] = { ...s, peakRate: peak };
    peakPerPoolOperationRate = Math.max(peakPerPoolOperationRate, peak);
  }
  return {
    totalCalls: c.totalCalls,
    calls: { ...c.calls },
    throttled: c.throttled,
    throttledByOperation: { ...c.throttledByOperation },
    errors: { ...c.errors },
    injected: c.injected,
    byCategory: Object.fromEntries(
      ALL_CATEGORIES.map((k) => [k, cat(c.byCategory[k], c.windows[k])]),
    ) as Record<QuotaCategory, CategoryStats>,
    byPool,
    peakPerPoolRate,
    byPoolOperation,
    peakPerPoolOperationRate,
    inFlight: inFlight,
    peakConcurrency: c.peakConcurrency,
  };
}
