import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import type { RateAdaptation } from './adaptive-rate.js';
import type { CategoryBuckets } from './category-buckets.js';
import { type QuotaCategory, quotaOf } from './quotas.js';
import { type Clock, Pacer } from './rate-limiter.js';

const THROTTLE_PAUSE_MS = 1000;

/** The error names AWS services use for throttling (Cognito, WAF, Lambda, KMS and IAM differ). */
const THROTTLING_ERRORS = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'WAFLimitsExceededException',
  // IAM's query protocol answers `Throttling`.
  'Throttling',
]);

/** Counters for the benchmark and the run log. */
export interface ReaderStats {
  requests: number;
  throttled: number;
  /** Throttled requests by quota category, for the `Throttles` metric. */
  throttledByCategory: Partial<Record<QuotaCategory, number>>;
}

/** A client whose middleware stack the pacing joins: the three SDK clients all fit. */
export interface PacedClient {
  middlewareStack: { addRelativeTo(middleware: unknown, options: object): void };
}

/**
 * The reader's admission control: every request, first attempt or retry, waits for its quota
 * category's bucket (account-level, and per pool where the quota is per pool), pools in the order
 * they started; a throttling response slows the category for the rest of the run.
 *
 * It is a middleware on each client's stack after the SDK's retry middleware, so retries are paced
 * like first attempts and cannot stampede. Which pool a request is about comes from its input.
 */
export class ReadPacing {
  readonly stats: ReaderStats = { requests: 0, throttled: 0, throttledByCategory: {} };
  private readonly pacer: Pacer;
  /** Pools being read: the order each started in (its pacing priority) and its abort signal. */
  private readonly reading = new Map<string, { priority: number; signal: AbortSignal | undefined }>();
  /** Which pool a domain belongs to, so the domain's read (which names no pool) is paced with it. */
  private readonly domainOwners = new Map<string, string>();
  private poolsStarted = 0;

  constructor(
    private readonly buckets: CategoryBuckets,
    private readonly clock: Clock,
  ) {
    this.pacer = new Pacer(clock);
  }

  /** Paces every request `client` sends from now on. */
  attach(client: PacedClient): void {
    client.middlewareStack.addRelativeTo(
      (next: FinalizeHandler<object, MetadataBearer>, context: { commandName?: string }) =>
        (args: FinalizeHandlerArguments<object>) =>
          this.paced(next, args, context.commandName ?? ''),
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'cognitoDriftPacing', override: true },
    );
  }

  /** A pool's read starts: its requests go after those of pools started earlier, and stop with `signal`. */
  poolStarted(poolId: string, signal: AbortSignal | undefined): void {
    this.poolsStarted += 1;
    this.reading.set(poolId, { priority: this.poolsStarted, signal });
  }

  /** A pool's read ended: its per-pool buckets and its domains are dropped. */
  poolEnded(poolId: string): void {
    this.buckets.forget(poolId);
    this.reading.delete(poolId);
    for (const [domain, owner] of this.domainOwners) if (owner === poolId) this.domainOwners.delete(domain);
  }

  /** The pool's domains: their reads name no pool, and are paced as the pool's. */
  domainsOf(poolId: string, domains: readonly (string | undefined)[]): void {
    for (const domain of domains) if (domain) this.domainOwners.set(domain, poolId);
  }

  /** The categories the account throttled, with the rate each was slowed to and held. */
  adaptations(): Partial<Record<QuotaCategory, RateAdaptation>> {
    return this.buckets.adaptations();
  }

  private async paced(
    next: FinalizeHandler<object, MetadataBearer>,
    args: FinalizeHandlerArguments<object>,
    command: string,
  ) {
    const poolId = this.poolOf(args.input as Record<string, unknown>);
    const buckets = this.buckets.for(command, poolId);
    // The pool that started first goes first: pools finish in order, so the scan's tail is short.
    const pool = poolId === undefined ? undefined : this.reading.get(poolId);
    await this.pacer.acquire(buckets, pool?.priority ?? 0, pool?.signal);
    this.stats.requests += 1;
    const { category } = quotaOf(command);
    const account = this.buckets.accountBucket(command);
    try {
      const output = await next(args);
      account.succeeded(this.clock.now());
      return output;
    } catch (error) {
      if (THROTTLING_ERRORS.has((error as { name?: string }).name ?? '')) {
        this.stats.throttled += 1;
        this.stats.throttledByCategory[category] = (this.stats.throttledByCategory[category] ?? 0) + 1;
        // The category slows for the rest of the run; the pause lets requests in flight drain.
        account.throttled(this.clock.now());
        for (const bucket of buckets) bucket.penalize(this.clock.now(), THROTTLE_PAUSE_MS);
      } else account.succeeded(this.clock.now());
      throw error;
    }
  }

  /** The pool (user or identity) a request is about, from whichever field names it. */
  private poolOf(input: Record<string, unknown>): string | undefined {
    if (typeof input.UserPoolId === 'string') return input.UserPoolId;
    if (typeof input.IdentityPoolId === 'string') return input.IdentityPoolId;
    if (typeof input.ResourceArn === 'string') return input.ResourceArn.split('/').pop();
    if (typeof input.Domain === 'string') return this.domainOwners.get(input.Domain);
    return undefined;
  }
}
