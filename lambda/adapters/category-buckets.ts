import { AdaptiveBucket, type RateAdaptation } from './adaptive-rate.js';
import { QUOTAS, type QuotaCategory, quotaOf } from './quotas.js';
import { TokenBucket } from './rate-limiter.js';

/**
 * The token buckets a reader paces by: one per quota category for the account (adaptive: slowed
 * when the account throttles it), and one per pool and operation where Cognito also limits a pool
 * ("any individual operation in this category ... 5 RPS for a single user pool"): two operations of
 * one category on one pool (DescribeUserPoolClient and ListUserPoolClientSecrets, or the hosted UI's
 * and the managed login's per-client reads) each have their own, so a pool's reads of a category
 * are not held to one operation's rate.
 */
export class CategoryBuckets {
  private readonly account = new Map<QuotaCategory, AdaptiveBucket>();
  private readonly perPoolRates = new Map<QuotaCategory, number>();
  private readonly perPool = new Map<string, TokenBucket>();

  /**
   * `rps`: each category's account-level rate; `perPoolRps`: the per-pool rates that differ from
   * the quota table's; `share`: the part of each this reader may use.
   */
  constructor(
    rps: Readonly<Record<QuotaCategory, number>>,
    perPoolRps: Partial<Record<QuotaCategory, number>>,
    share: number,
  ) {
    for (const [category, rate] of Object.entries(rps) as [QuotaCategory, number][]) {
      this.account.set(category, new AdaptiveBucket(rate * share));
      const perPool = perPoolRps[category] ?? QUOTAS[category].perPoolPerOperationRps;
      if (perPool !== undefined) this.perPoolRates.set(category, perPool * share);
    }
  }

  /** The account bucket of an operation's category. */
  accountBucket(operation: string): AdaptiveBucket {
    return this.account.get(quotaOf(operation).category) as AdaptiveBucket;
  }

  /** The buckets one request waits for: its category's, and its pool's for the operation where Cognito has one. */
  for(operation: string, poolId: string | undefined): TokenBucket[] {
    const { category } = quotaOf(operation);
    const account = this.account.get(category) as TokenBucket;
    const perPoolRate = this.perPoolRates.get(category);
    if (!poolId || perPoolRate === undefined) return [account];
    const key = `${operation.replace(/Command$/, '')}/${poolId}`;
    let bucket = this.perPool.get(key);
    if (!bucket) {
      bucket = new TokenBucket(perPoolRate);
      this.perPool.set(key, bucket);
    }
    return [account, bucket];
  }

  /** Drops a pool's buckets once it is read. */
  forget(poolId: string): void {
    for (const key of this.perPool.keys()) if (key.endsWith(`/${poolId}`)) this.perPool.delete(key);
  }

  /** The categories the account throttled, with the rate each was slowed to and held. */
  adaptations(): Partial<Record<QuotaCategory, RateAdaptation>> {
    const out: Partial<Record<QuotaCategory, RateAdaptation>> = {};
    for (const [category, bucket] of this.account) {
      const adaptation = bucket.adaptation();
      if (adaptation) out[category] = adaptation;
    }
    return out;
  }
}
