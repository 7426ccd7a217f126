/**
 * The stand-in's public shapes: its options, fault rules, statistics' request log and client config.
 *
 * @module
 */
import type { SurfaceService } from './cognito-surface.js';
import type { CognitoOperation, QuotaCategory, StandinErrorType } from './standin-protocol.js';

/** Options for {@link CognitoStandin.start}. Every quota is "requests per second". */
export interface StandinOptions {
  /** Added before every non-throttled response, via `setTimeout` (calls overlap). Default 60; 0 allowed. */
  latencyMs?: number;
  /** `UserPoolRead` quota (ListUserPools + DescribeUserPool), per account. Default 15. */
  userPoolReadRps?: number;
  /** `UserPoolClientRead` quota (ListUserPoolClients + DescribeUserPoolClient + ListUserPoolClientSecrets), per account. Default 15. */
  clientReadRps?: number;
  /** `UserPoolClientRead` quota per user pool and operation. Default 5. */
  perPoolClientReadRps?: number;
  /**
   * Any category's quota (account rps and, for the per-pool categories, rps per pool and operation).
   * Defaults: `QUOTAS` of `lambda/adapters/quotas.ts`. Passing it (even `{}`) first puts every rate back
   * to those defaults, then applies it; the three options above, when also given, win for their categories.
   */
  quotaOverrides?: Partial<Record<QuotaCategory, { rps?: number; perPoolPerOperationRps?: number }>>;
  /** Bucket capacity in seconds of rate (capacity = rps × burstSeconds). Default 1. */
  burstSeconds?: number;
  /** Enforce the quotas at all. Default true. */
  quotas?: boolean;
  /** Region used in pool ids and ARNs. Default `us-east-1`. */
  region?: string;
  /** Account id used in ARNs. Default `123456789012`. */
  accountId?: string;
  /** PRNG seed for ids, secrets and seeded data. Default 1. */
  seed?: number;
  /**
   * Clock for `CreationDate`/`LastModifiedDate` of objects added or updated without explicit dates.
   * Default: a deterministic clock starting at 2024-11-22T18:26:40.000Z that advances 1 s per reading.
   * Pass `() => new Date()` for wall-clock time.
   */
  clock?: () => Date;
  /**
   * Milliseconds of a monotonic clock, for the quotas' token buckets and the request log's `at`.
   * Default `performance.now`. Tests pass a manual clock to say exactly how much time passed.
   */
  now?: () => number;
  /** Port to listen on (127.0.0.1). Default 0 (ephemeral). */
  port?: number;
  /** Maximum number of entries kept in {@link CognitoStandin.requests}. Default 100 000. */
  maxLogEntries?: number;
}

/** Runtime-adjustable subset of {@link StandinOptions} (see {@link CognitoStandin.configure}). */
export type StandinRuntimeOptions = Pick<
  StandinOptions,
  | 'latencyMs'
  | 'userPoolReadRps'
  | 'clientReadRps'
  | 'perPoolClientReadRps'
  | 'quotaOverrides'
  | 'burstSeconds'
  | 'quotas'
>;

/** A fault-injection rule. Filters left out match everything. */
export interface FaultRule {
  /** Only requests for this operation. */
  operation?: CognitoOperation | (string & {});
  /** Only requests whose `UserPoolId` is this pool. */
  poolId?: string;
  /** Only requests whose `ClientId` is this client. */
  clientId?: string;
  /** Only requests whose `IdentityPoolId` is this identity pool. */
  identityPoolId?: string;
  /** Error to return. When omitted, the request proceeds normally (useful with `delayMs`). */
  error?: StandinErrorType;
  /** Error message; a realistic one is generated when omitted. */
  message?: string;
  /** How many matching requests to affect. Default 1; `Infinity` = until cleared. */
  times?: number;
  /** Extra delay added to the matching responses, on top of the latency. */
  delayMs?: number;
}

/** Handle to an installed {@link FaultRule}. */
export interface FaultHandle {
  /** Remove the rule. */
  clear(): void;
  /** Number of requests the rule has affected so far. */
  readonly hits: number;
  /** Remaining requests the rule will affect. */
  readonly remaining: number;
}

/** One entry of the request log (see {@link CognitoStandin.requests}). */
export interface StandinRequest {
  /** 1-based sequence number since start/reset. */
  seq: number;
  /** Arrival time, ms since the server started (monotonic). */
  at: number;
  /** Operation name from `X-Amz-Target` (may be an unknown one). */
  operation: string;
  /** The user pool concerned: `UserPoolId`, the pool of a `Domain` or of a `ResourceArn`, if any. */
  poolId?: string;
  /** `IdentityPoolId` from the request body, if any. */
  identityPoolId?: string;
  /** `ClientId` from the request body, if any. */
  clientId?: string;
  /** Access key id from the SigV4 `Authorization` header, if any. */
  accessKeyId?: string;
  /** HTTP status sent (0 while pending). */
  status: number;
  /** Error `__type`, if an error was sent. */
  errorType?: string;
  /** The service of the `X-Amz-Target` prefix, when it is one the stand-in serves. */
  service?: SurfaceService;
  /** Which bucket rejected the request, if throttled by quota. */
  throttledBy?: 'account' | 'pool';
  /** True when the response came from fault injection. */
  injected?: boolean;
  /** How long the answer was held back (latency plus a fault's `delayMs`); absent for a quota rejection, which is immediate. */
  delayMs?: number;
}

/** Client configuration for `new CognitoIdentityProviderClient(...)` (or the identity / WAFv2 clients) pointing at the stand-in. */
export interface StandinClientConfig {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Region. */
  region: string;
  /** Static fake credentials. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** 1: no SDK retries, so throttles surface. */
  maxAttempts: number;
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------
