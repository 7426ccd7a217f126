/**
 * A local stand-in for the AWS control planes cognito-drift reads: Cognito user pools (`cognito-idp`),
 * Cognito identity pools (`cognito-identity`) and the web ACL of a pool (`wafv2`).
 *
 * It is a small HTTP server on 127.0.0.1 that speaks the real AWS JSON 1.1 wire protocol and routes by
 * the `X-Amz-Target` prefix, so the unmodified `CognitoIdentityProviderClient`, `CognitoIdentityClient`
 * and `WAFV2Client` can all talk to the one port through `endpoint` (see {@link CognitoStandin.clientConfig})
 * or the `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` / `AWS_ENDPOINT_URL_COGNITO_IDENTITY` /
 * `AWS_ENDPOINT_URL_WAFV2` environment variables ({@link CognitoStandin.endpointEnv}). It implements the
 * read-only operations cognito-drift needs, with faithful pagination, opaque tokens, the documented
 * request quotas of `lambda/adapters/quotas.ts` (token buckets, per account and, where documented, per
 * pool and operation), per-call latency and fault injection. Everything beyond pools and clients lives
 * in the {@link SurfaceModel} shared with the in-memory fake (`fake-aws.ts`).
 *
 * State is seeded programmatically (`addPool`, `addClient`, `seed`) and is fully deterministic for
 * a given `seed` option: ids, secrets, names and dates are reproducible between runs.
 *
 * CLI: `tsx test/support/cognito-standin.ts --pools 30 --clients 5 [--port 0] [--latency 60] [--no-quotas]`
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  OPERATION_QUOTA,
  QUOTAS,
  type QuotaCategory as QuotaCategoryName,
} from '../../lambda/adapters/quotas.js';
import { CATALOG_OPERATIONS, CatalogOperations, toWireJson } from './catalog-operations.js';
import {
  AwsError,
  type ClientSurfaceSeed,
  type IdentityPoolPatch,
  makeToken,
  pageSize,
  readToken,
  requireString,
  type SeedDomain,
  type SeedGroup,
  type SeedIdentityPool,
  type SeedIdentityProvider,
  type SeedMfa,
  type SeedResourceServer,
  type SeedRiskConfiguration,
  type SeedUiCustomization,
  type SeedWebAcl,
  SURFACE_OPERATIONS,
  SurfaceModel,
  type SurfaceOperation,
  type SurfaceSeed,
  type SurfaceService,
  withSdkDates,
} from './cognito-surface.js';
import { StandinOrganization } from './standin-organization.js';

/** The operations the stand-in implements (all services). Anything else gets `UnknownOperationException`. */
export type CognitoOperation =
  | 'ListUserPools'
  | 'DescribeUserPool'
  | 'ListUserPoolClients'
  | 'DescribeUserPoolClient'
  | 'ListUserPoolClientSecrets'
  | SurfaceOperation;

/** Quota categories enforced by the stand-in: those of `lambda/adapters/quotas.ts`. */
export type QuotaCategory = QuotaCategoryName;

const POOL_CLIENT_OPERATIONS = [
  'ListUserPools',
  'DescribeUserPool',
  'ListUserPoolClients',
  'DescribeUserPoolClient',
  'ListUserPoolClientSecrets',
] as const;

/** Which service (X-Amz-Target prefix) each operation belongs to. */
const SERVICE_OF: Readonly<Record<CognitoOperation, SurfaceService>> = {
  ...Object.fromEntries(POOL_CLIENT_OPERATIONS.map((op) => [op, 'cognito-idp' as const])),
  ...Object.fromEntries([...CATALOG_OPERATIONS.values()].map((op) => [op.name, op.service])),
  ...SURFACE_OPERATIONS,
} as Record<CognitoOperation, SurfaceService>;

const TARGET_PREFIX: Readonly<Record<SurfaceService, string>> = {
  'cognito-idp': 'AWSCognitoIdentityProviderService.',
  'cognito-identity': 'AWSCognitoIdentityService.',
  wafv2: 'AWSWAF_20190729.',
};

/** Operation → quota category, from the one table in `lambda/adapters/quotas.ts`. */
export const OPERATION_CATEGORY: Readonly<Record<CognitoOperation, QuotaCategory>> = Object.fromEntries(
  (Object.keys(SERVICE_OF) as CognitoOperation[]).map((op) => {
    const category = OPERATION_QUOTA[op];
    if (category === undefined) throw new Error(`quotas.ts has no category for ${op}`);
    return [op, category];
  }),
) as Record<CognitoOperation, QuotaCategory>;

const ALL_CATEGORIES = Object.keys(QUOTAS) as QuotaCategory[];

/** Error types the stand-in can return (or inject), with the HTTP status Cognito uses for each. */
export const ERROR_STATUS = {
  InternalErrorException: 500,
  InternalServerException: 500,
  AccessDeniedException: 400,
  NotAuthorizedException: 400,
  ResourceNotFoundException: 400,
  TooManyRequestsException: 400,
  InvalidParameterException: 400,
  LimitExceededException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  ThrottlingException: 400,
  WAFNonexistentItemException: 400,
  WAFInvalidParameterException: 400,
  WAFInternalErrorException: 500,
  WAFUnavailableEntityException: 400,
} as const;

/** cognito-identity uses other HTTP statuses than cognito-idp for the same error names. */
const IDENTITY_STATUS: Partial<Record<StandinErrorType, number>> = {
  NotAuthorizedException: 403,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429,
};

/** The error a quota rejection sends, per service (WAF answers the generic throttling error). */
const THROTTLE_ERROR: Readonly<Record<SurfaceService, StandinErrorType>> = {
  'cognito-idp': 'TooManyRequestsException',
  'cognito-identity': 'TooManyRequestsException',
  wafv2: 'ThrottlingException',
};

function errorStatus(service: SurfaceService, type: StandinErrorType): number {
  return (service === 'cognito-identity' ? IDENTITY_STATUS[type] : undefined) ?? ERROR_STATUS[type];
}

/** Name of an error the stand-in can send. */
export type StandinErrorType = keyof typeof ERROR_STATUS;

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

/** Metadata of one client secret (what ListUserPoolClientSecrets returns). */
export interface SecretSeed {
  /** ClientSecretId; default `<client-id>--<epoch ms>` (Cognito's format is `<client-id>--<epoch-create-time>`). */
  id?: string;
  /** ClientSecretCreateDate. */
  createdAt: Date;
}

/**
 * A user pool to add. The {@link SurfaceSeed} fields (`mfa`, `riskConfiguration`, `identityProviders`,
 * `groups`, `resourceServers`, `domain`, `customDomain`, `logDelivery`, `uiCustomization`, `webAcl`)
 * seed the rest of its surface; a `Domain` / `CustomDomain` in `config` is taken as `domain` /
 * `customDomain`.
 */
export interface SeedPool extends SurfaceSeed {
  /** Pool id; generated (`<region>_` + 9 alphanumerics) when omitted. */
  id?: string;
  /** Pool name. */
  name: string;
  /**
   * Any `UserPoolType` fields (API casing, e.g. `MfaConfiguration`, `LambdaConfig`, `Policies`),
   * shallow-merged over realistic defaults. `Id`, `Name`, `CreationDate` and `LastModifiedDate` are
   * controlled by the stand-in and cannot be overridden here.
   */
  config?: Record<string, unknown>;
  /** App clients to create in the pool. */
  clients?: SeedClient[];
  /** CreationDate; defaults to the clock. */
  createdAt?: Date;
  /** LastModifiedDate; defaults to `createdAt`. */
  lastModifiedAt?: Date;
}

/** An app client to add; `riskConfiguration` / `uiCustomization` are the client's own. */
export interface SeedClient extends ClientSurfaceSeed {
  /** Client id; generated (26 lowercase alphanumerics) when omitted. */
  id?: string;
  /** ClientName. */
  name: string;
  /**
   * Secret VALUE returned as `ClientSecret` by DescribeUserPoolClient (confidential client). When set
   * without `secrets`, one secret descriptor is created (`<client-id>--<epoch ms>`).
   */
  secret?: string;
  /** Secret descriptors for ListUserPoolClientSecrets (max 2). A value is generated if `secret` is absent. */
  secrets?: SecretSeed[];
  /**
   * Any `UserPoolClientType` fields (API casing, e.g. `CallbackURLs`, `ExplicitAuthFlows`), shallow-merged
   * over realistic public-client defaults. `UserPoolId`, `ClientId`, `ClientName`, `ClientSecret` and dates
   * are controlled by the stand-in.
   */
  config?: Record<string, unknown>;
  /** CreationDate; defaults to the clock. */
  createdAt?: Date;
  /** LastModifiedDate; defaults to `createdAt`. */
  lastModifiedAt?: Date;
}

/** Changes for {@link CognitoStandin.updatePool}. Bumps LastModifiedDate. */
export interface PoolPatch {
  /** New pool name. */
  name?: string;
  /** Shallow-merged into the pool's config; a key set to `undefined` removes that field from responses. */
  config?: Record<string, unknown>;
  /** LastModifiedDate to set; defaults to the clock. */
  lastModifiedAt?: Date;
}

/** Changes for {@link CognitoStandin.updateClient}. Bumps LastModifiedDate. */
export interface ClientPatch {
  /** New ClientName. */
  name?: string;
  /** New secret value; `null` turns the client into a public client (removes the value and all descriptors). */
  secret?: string | null;
  /** Replaces the secret descriptors (max 2). */
  secrets?: SecretSeed[];
  /** Shallow-merged into the client's config; a key set to `undefined` removes that field from responses. */
  config?: Record<string, unknown>;
  /** LastModifiedDate to set; defaults to the clock. */
  lastModifiedAt?: Date;
}

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

type Json = Record<string, unknown>;

interface PoolRecord {
  id: string;
  name: string;
  seq: number;
  createdAt: Date;
  lastModifiedAt: Date;
  config: Json;
  clients: Map<string, ClientRecord>;
  clientSeq: number;
}

interface ClientRecord {
  id: string;
  name: string;
  seq: number;
  createdAt: Date;
  lastModifiedAt: Date;
  secret: string | undefined;
  secrets: { id: string; createdAt: Date }[];
  config: Json;
  poolId: string;
}

interface InstalledFault {
  rule: FaultRule;
  remaining: number;
  hits: number;
}

const POOL_ID_RE = /^[\w-]+_[0-9a-zA-Z]+$/;
const CLIENT_ID_RE = /^[\w+]+$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DEFAULT_CLOCK_START_MS = 1_732_300_000_000;

class ServiceError extends AwsError {
  declare readonly type: StandinErrorType;
}

function asServiceError(e: unknown): ServiceError {
  if (e instanceof AwsError && e.type in ERROR_STATUS) return new ServiceError(e.type, e.message);
  return new ServiceError('InternalErrorException', String(e));
}

/** mulberry32: tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  constructor(
    private readonly rate: number,
    capacity: number,
  ) {
    this.capacity = Math.max(1, capacity);
    this.tokens = this.capacity;
    this.last = performance.now();
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

/** Sliding 1 s window of admitted-request timestamps, tracking its peak size. */
class RateWindow {
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

function newCategoryStats(): CategoryStats {
  return { calls: 0, admitted: 0, throttled: 0, peakRate: 0 };
}

function epochSeconds(d: Date): number {
  return d.getTime() / 1000;
}

function inc(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalMaxResults(body: Json, required: boolean, fallback: number): number {
  return pageSize(body, 'MaxResults', 'maxResults', { min: 1, max: 60, required, fallback });
}

function defaultMessage(
  type: StandinErrorType,
  op: string,
  poolId: string | undefined,
  region: string,
  account: string,
  service: SurfaceService = 'cognito-idp',
): string {
  switch (type) {
    case 'TooManyRequestsException':
    case 'ThrottlingException':
      return 'Rate exceeded';
    case 'AccessDeniedException': {
      const resource =
        service === 'cognito-identity'
          ? `arn:aws:cognito-identity:${region}:${account}:identitypool/${poolId ?? '*'}`
          : `arn:aws:cognito-idp:${region}:${account}:userpool/${poolId ?? '*'}`;
      return `User: arn:aws:iam::${account}:user/cognito-drift is not authorized to perform: ${service}:${op} on resource: ${resource} because no identity-based policy allows the ${service}:${op} action`;
    }
    case 'NotAuthorizedException':
      return 'The security token included in the request is invalid.';
    case 'ResourceNotFoundException':
      return poolId ? `User pool ${poolId} does not exist.` : 'Resource not found.';
    case 'InternalErrorException':
    case 'InternalServerException':
      return 'Internal server error.';
    case 'LimitExceededException':
      return 'Limit exceeded.';
    case 'InvalidParameterException':
      return 'Invalid parameter.';
    default:
      return type;
  }
}

const STANDARD_ATTRIBUTES: ReadonlyArray<[string, string, boolean]> = [
  ['sub', 'String', false],
  ['name', 'String', true],
  ['given_name', 'String', true],
  ['family_name', 'String', true],
  ['middle_name', 'String', true],
  ['nickname', 'String', true],
  ['preferred_username', 'String', true],
  ['profile', 'String', true],
  ['picture', 'String', true],
  ['website', 'String', true],
  ['email', 'String', true],
  ['email_verified', 'Boolean', true],
  ['gender', 'String', true],
  ['birthdate', 'String', true],
  ['zoneinfo', 'String', true],
  ['locale', 'String', true],
  ['phone_number', 'String', true],
  ['phone_number_verified', 'Boolean', true],
  ['address', 'String', true],
  ['updated_at', 'Number', true],
  ['identities', 'String', true],
];

function standardSchema(requiredEmail: boolean): Json[] {
  return STANDARD_ATTRIBUTES.map(([name, type, mutable]) => {
    const attr: Json = {
      Name: name,
      AttributeDataType: type,
      DeveloperOnlyAttribute: false,
      Mutable: mutable,
      Required: name === 'sub' || (requiredEmail && name === 'email'),
    };
    if (type === 'String') {
      attr.StringAttributeConstraints =
        name === 'sub' ? { MinLength: '1', MaxLength: '2048' } : { MinLength: '0', MaxLength: '2048' };
    } else if (type === 'Number') {
      attr.NumberAttributeConstraints = { MinValue: '0' };
    }
    return attr;
  });
}

function defaultPoolConfig(): Json {
  return {
    Policies: {
      PasswordPolicy: {
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      },
      SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
    },
    DeletionProtection: 'INACTIVE',
    LambdaConfig: {},
    SchemaAttributes: standardSchema(true),
    AutoVerifiedAttributes: ['email'],
    UsernameAttributes: ['email'],
    VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: [] },
    MfaConfiguration: 'OFF',
    EstimatedNumberOfUsers: 0,
    EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
    UserPoolTags: {},
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 },
    UsernameConfiguration: { CaseSensitive: false },
    AccountRecoverySetting: { RecoveryMechanisms: [{ Priority: 1, Name: 'verified_email' }] },
    UserPoolTier: 'ESSENTIALS',
  };
}

function defaultClientConfig(): Json {
  return {
    RefreshTokenValidity: 30,
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    AllowedOAuthFlowsUserPoolClient: false,
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 3,
  };
}

function defaultRates(): Record<QuotaCategory, { rps: number; perPool?: number }> {
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

/** A realistic threat-protection configuration (what the console sets for "full function"). */
function defaultRiskConfiguration(): SeedRiskConfiguration {
  return {
    CompromisedCredentialsRiskConfiguration: {
      EventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      Actions: { EventAction: 'BLOCK' },
    },
    AccountTakeoverRiskConfiguration: {
      Actions: {
        LowAction: { Notify: false, EventAction: 'NO_ACTION' },
        MediumAction: { Notify: true, EventAction: 'MFA_IF_CONFIGURED' },
        HighAction: { Notify: true, EventAction: 'BLOCK' },
      },
    },
    RiskExceptionConfiguration: { BlockedIPRangeList: ['198.51.100.0/24'], SkippedIPRangeList: [] },
  };
}

function mergeConfig(base: Json, patch: Json | undefined): Json {
  return patch ? { ...base, ...patch } : { ...base };
}

// ---------------------------------------------------------------------------------------------
// The stand-in
// ---------------------------------------------------------------------------------------------

/**
 * Local Cognito user-pools server speaking AWS JSON 1.1. Create with {@link CognitoStandin.start},
 * always {@link CognitoStandin.stop} it.
 *
 * Request pipeline: parse → quota gate (immediate `TooManyRequestsException` when a bucket is empty;
 * consumes a token from the category bucket and, for client reads, the per-pool bucket) → fault
 * injection → validation → handler; everything after the gate is answered after `latencyMs`.
 */
export class CognitoStandin {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Region used in generated ids and ARNs. */
  readonly region: string;
  /** Account id used in ARNs. */
  readonly accountId: string;
  /**
   * The organization this stand-in plays: its accounts, regions and roles; STS `AssumeRole`,
   * Organizations and `account:ListRegions` over the wire. Shared by every (account, region) target.
   */
  readonly organization: StandinOrganization;

  private readonly server: Server;
  private readonly options: StandinOptions;
  /** The other (account, region) targets, each with its own pools and quotas (only on the root). */
  private readonly targets = new Map<string, CognitoStandin>();
  private readonly rand: () => number;
  private readonly clock: () => Date;
  private readonly tokenKey: string;
  private readonly maxLogEntries: number;
  private readonly startedAt = performance.now();
  private readonly pools = new Map<string, PoolRecord>();
  private readonly allClientIds = new Set<string>();
  private poolSeq = 0;
  private readonly model: SurfaceModel;
  /** Raw API items of the catalog operations the surface model does not answer itself. */
  readonly catalogItems: CatalogOperations;
  private latencyMs = 60;
  private quotasOn = true;
  private rates = defaultRates();
  private burst = 1;
  private categoryBuckets = new Map<QuotaCategory, TokenBucket>();
  private poolBuckets = new Map<string, TokenBucket>();
  private faults: InstalledFault[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private log: StandinRequest[] = [];
  private reqSeq = 0;
  private inFlight = 0;
  private counters = this.freshCounters();

  private constructor(
    server: Server,
    endpoint: string,
    opts: StandinOptions,
    organization?: StandinOrganization,
  ) {
    this.server = server;
    this.endpoint = endpoint;
    this.options = opts;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.organization = organization ?? new StandinOrganization(this.accountId, this.region);
    const seed = opts.seed ?? 1;
    this.rand = prng(seed);
    this.tokenKey = `cognito-standin-${seed}`;
    this.maxLogEntries = opts.maxLogEntries ?? 100_000;
    let tick = 0;
    this.clock = opts.clock ?? (() => new Date(DEFAULT_CLOCK_START_MS + 1000 * tick++));
    this.catalogItems = new CatalogOperations(this.tokenKey);
    this.model = new SurfaceModel({
      region: this.region,
      accountId: this.accountId,
      tokenKey: this.tokenKey,
      clock: this.clock,
      rand: this.rand,
      directory: {
        mfaConfiguration: (poolId) => {
          const pool = this.pools.get(poolId);
          if (!pool) return undefined;
          return typeof pool.config.MfaConfiguration === 'string' ? pool.config.MfaConfiguration : 'OFF';
        },
        hasClient: (poolId, clientId) => this.pools.get(poolId)?.clients.has(clientId) ?? false,
        setMfaConfiguration: (poolId, value) => {
          this.mustPool(poolId).config.MfaConfiguration = value;
        },
      },
    });
    this.configure(opts);
  }

  /** Start a server on 127.0.0.1 (ephemeral port unless `opts.port`). */
  static async start(opts: StandinOptions = {}): Promise<CognitoStandin> {
    let standin: CognitoStandin | undefined;
    const server = createServer((req, res) => {
      if (!standin) {
        res.statusCode = 503;
        res.end();
        return;
      }
      standin.handle(req, res);
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    standin = new CognitoStandin(server, `http://127.0.0.1:${port}`, opts);
    return standin;
  }

  /**
   * The stand-in of one (account, region): its own pools, quotas, faults and stats, on the same port.
   * Requests reach it when signed for `region` with keys that STS `AssumeRole` issued for `accountId`
   * (or any other key, for the default account). The account must be in {@link organization}
   * (`organization.addAccount`); the default account and region are this stand-in itself.
   */
  target(accountId: string, region: string): CognitoStandin {
    if (accountId === this.accountId && region === this.region) return this;
    if (!this.organization.hasAccount(accountId)) {
      throw new Error(`account ${accountId} is not in the organization: organization.addAccount it first`);
    }
    const key = `${accountId}|${region}`;
    let target = this.targets.get(key);
    if (!target) {
      let mix = 0;
      for (const ch of key) mix = (Math.imul(mix, 31) + ch.charCodeAt(0)) >>> 0;
      const { port: _port, ...rest } = this.options;
      target = new CognitoStandin(
        this.server,
        this.endpoint,
        { ...rest, accountId, region, seed: ((this.options.seed ?? 1) ^ mix) >>> 0 },
        this.organization,
      );
      this.targets.set(key, target);
    }
    return target;
  }

  /** Stop listening, drop open connections and pending (latency-delayed) responses. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const target of this.targets.values()) {
      for (const t of target.timers) clearTimeout(t);
      target.timers.clear();
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Config for `new CognitoIdentityProviderClient(standin.clientConfig())`: endpoint, region, fake creds, no retries. */
  clientConfig(overrides: Partial<StandinClientConfig> = {}): StandinClientConfig {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'AKIASTANDIN000000000', secretAccessKey: 'standin-secret-key' },
      maxAttempts: 1,
      ...overrides,
    };
  }

  /** Config for `new CognitoIdentityClient(...)`: the same server answers `AWSCognitoIdentityService.*`. */
  identityClientConfig(overrides: Partial<StandinClientConfig> = {}): StandinClientConfig {
    return this.clientConfig(overrides);
  }

  /** Config for `new WAFV2Client(...)`: the same server answers `AWSWAF_20190729.*`. */
  wafClientConfig(overrides: Partial<StandinClientConfig> = {}): StandinClientConfig {
    return this.clientConfig(overrides);
  }

  /** The `AWS_ENDPOINT_URL_<SERVICE>` variables that point SDK clients created without `endpoint` here. */
  endpointEnv(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: this.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY: this.endpoint,
      AWS_ENDPOINT_URL_WAFV2: this.endpoint,
    };
  }

  /** Change latency/quotas at runtime. Buckets are rebuilt full. */
  configure(opts: StandinRuntimeOptions): void {
    if (opts.latencyMs !== undefined) this.latencyMs = Math.max(0, opts.latencyMs);
    if (opts.quotas !== undefined) this.quotasOn = opts.quotas;
    if (opts.quotaOverrides !== undefined) this.rates = defaultRates();
    for (const [category, q] of Object.entries(opts.quotaOverrides ?? {}) as [
      QuotaCategory,
      { rps?: number; perPoolPerOperationRps?: number },
    ][]) {
      if (q.rps !== undefined) this.rates[category].rps = q.rps;
      if (q.perPoolPerOperationRps !== undefined) this.rates[category].perPool = q.perPoolPerOperationRps;
    }
    if (opts.userPoolReadRps !== undefined) this.rates.UserPoolRead.rps = opts.userPoolReadRps;
    if (opts.clientReadRps !== undefined) this.rates.UserPoolClientRead.rps = opts.clientReadRps;
    if (opts.perPoolClientReadRps !== undefined)
      this.rates.UserPoolClientRead.perPool = opts.perPoolClientReadRps;
    if (opts.burstSeconds !== undefined) this.burst = opts.burstSeconds;
    this.resetQuotas();
  }

  /** Refill every token bucket (e.g. between test cases). */
  resetQuotas(): void {
    this.categoryBuckets = new Map();
    this.poolBuckets = new Map();
  }

  // ------------------------------------------------------------------ state

  /** Add a user pool (and its clients). Returns the pool id. Throws if the id already exists. */
  addPool(p: SeedPool): string {
    const id =
      p.id ??
      this.uniqueId(
        () => `${this.region}_${this.randomString(ALNUM, 9)}`,
        (x) => this.pools.has(x),
      );
    if (this.pools.has(id)) throw new Error(`pool ${id} already exists`);
    const createdAt = p.createdAt ?? this.clock();
    const config = mergeConfig(defaultPoolConfig(), p.config);
    const surface: SurfaceSeed = { ...p };
    // DescribeUserPool's Domain / CustomDomain come from the domains the pool owns.
    if (typeof config.Domain === 'string' && surface.domain === undefined) surface.domain = config.Domain;
    if (typeof config.CustomDomain === 'string' && surface.customDomain === undefined) {
      surface.customDomain = config.CustomDomain;
    }
    config.Domain = undefined;
    config.CustomDomain = undefined;
    const pool: PoolRecord = {
      id,
      name: p.name,
      seq: ++this.poolSeq,
      createdAt,
      lastModifiedAt: p.lastModifiedAt ?? createdAt,
      config,
      clients: new Map(),
      clientSeq: 0,
    };
    this.pools.set(id, pool);
    try {
      this.model.addPool(id, surface);
      for (const c of p.clients ?? []) this.addClient(id, c);
    } catch (e) {
      this.pools.delete(id);
      this.model.removePool(id);
      throw e;
    }
    return id;
  }

  /** Remove a user pool (throws if unknown). */
  removePool(id: string): void {
    const pool = this.mustPool(id);
    for (const clientId of pool.clients.keys()) this.allClientIds.delete(clientId);
    this.pools.delete(id);
    this.model.removePool(id);
    for (const key of this.poolBuckets.keys()) if (key.startsWith(`${id}|`)) this.poolBuckets.delete(key);
  }

  /** Update a pool's name/config; bumps LastModifiedDate. */
  updatePool(id: string, patch: PoolPatch): void {
    const pool = this.mustPool(id);
    if (patch.name !== undefined) pool.name = patch.name;
    if (patch.config) pool.config = mergeConfig(pool.config, patch.config);
    pool.lastModifiedAt = patch.lastModifiedAt ?? this.clock();
  }

  /** Add an app client to a pool. Returns the client id. */
  addClient(poolId: string, c: SeedClient): string {
    const pool = this.mustPool(poolId);
    const id =
      c.id ??
      this.uniqueId(
        () => this.randomString(LOWER_ALNUM, 26),
        (x) => this.allClientIds.has(x),
      );
    if (pool.clients.has(id)) throw new Error(`client ${id} already exists in ${poolId}`);
    const createdAt = c.createdAt ?? this.clock();
    const client: ClientRecord = {
      id,
      name: c.name,
      seq: ++pool.clientSeq,
      createdAt,
      lastModifiedAt: c.lastModifiedAt ?? createdAt,
      secret: undefined,
      secrets: [],
      config: mergeConfig(defaultClientConfig(), c.config),
      poolId,
    };
    this.applySecrets(client, c.secret, c.secrets, createdAt);
    pool.clients.set(id, client);
    this.allClientIds.add(id);
    this.model.addClient(poolId, id, c);
    return id;
  }

  /** Remove an app client (throws if unknown). */
  removeClient(poolId: string, clientId: string): void {
    if (!this.mustPool(poolId).clients.delete(clientId)) throw new Error(`client ${clientId} does not exist`);
    this.allClientIds.delete(clientId);
    this.model.removeClient(poolId, clientId);
  }

  /** Update an app client; bumps LastModifiedDate. */
  updateClient(poolId: string, clientId: string, patch: ClientPatch): void {
    const client = this.mustClient(poolId, clientId);
    const when = patch.lastModifiedAt ?? this.clock();
    if (patch.name !== undefined) client.name = patch.name;
    if (patch.config) client.config = mergeConfig(client.config, patch.config);
    if (patch.secret === null) {
      client.secret = undefined;
      client.secrets = [];
    }
    if (typeof patch.secret === 'string' || patch.secrets) {
      const keep = typeof patch.secret === 'string' ? patch.secret : client.secret;
      const secrets = patch.secrets ?? (client.secrets.length > 0 ? client.secrets : undefined);
      client.secret = undefined;
      client.secrets = [];
      this.applySecrets(client, keep, secrets, when);
    }
    client.lastModifiedAt = when;
  }

  /** Ids of all pools, in listing order. */
  poolIds(): string[] {
    return [...this.pools.values()].sort((a, b) => a.seq - b.seq).map((p) => p.id);
  }

  /** Ids of a pool's clients, in listing order. */
  clientIds(poolId: string): string[] {
    return [...this.mustPool(poolId).clients.values()].sort((a, b) => a.seq - b.seq).map((c) => c.id);
  }

  /** The DescribeUserPool `UserPool` object as the SDK would see it before date parsing (dates as epoch seconds). */
  describePool(poolId: string): Json {
    return this.poolView(this.mustPool(poolId));
  }

  /** The DescribeUserPoolClient `UserPoolClient` object (dates as epoch seconds, includes ClientSecret). */
  describeClient(poolId: string, clientId: string): Json {
    return this.clientView(this.mustClient(poolId, clientId));
  }

  /**
   * What the SDK returns for one operation of the rest of the surface (MFA, IdPs, groups, identity
   * pools, web ACL, ...), answered by the model directly, without HTTP, quotas or faults: for the
   * benchmark's synthetic account, which needs thousands of answers and no wire.
   */
  answerSurface(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    if (this.catalogItems.serves(operation)) return withSdkDates(this.catalogItems.answer(operation, input));
    return withSdkDates(this.model.answer(operation as SurfaceOperation, input));
  }

  /**
   * Add `pools` realistic pools with `clientsPerPool` clients each (deterministic for a given `seed`
   * option and call order). About half the clients are confidential with a secret; some have two
   * secrets (rotation in progress). Returns the new pool ids.
   */
  seed(pools: number, clientsPerPool: number): string[] {
    const ids: string[] = [];
    const start = this.pools.size;
    for (let k = 0; k < pools; k++) {
      const i = start + k;
      ids.push(this.addPool(this.seedPool(i, clientsPerPool)));
    }
    return ids;
  }

  /**
   * The benchmark's full-surface account: `pools` pools × `clientsPerPool` clients (as {@link seed}),
   * each pool with `idps` identity providers (SAML and OIDC alternating, OIDC ones with a
   * `client_secret`), `groups` groups with IAM roles, `resourceServers` resource servers and, when
   * `domain`, a prefix domain; plus `identityPools` identity pools trusting the first pools' clients.
   * Defaults: 30 × 5, 2 IdPs, 3 groups, 1 resource server, a domain, 10 identity pools.
   */
  seedFullSurface(
    opts: {
      pools?: number;
      clientsPerPool?: number;
      idps?: number;
      groups?: number;
      resourceServers?: number;
      domain?: boolean;
      identityPools?: number;
    } = {},
  ): { poolIds: string[]; identityPoolIds: string[] } {
    const o = {
      pools: 30,
      clientsPerPool: 5,
      idps: 2,
      groups: 3,
      resourceServers: 1,
      domain: true,
      identityPools: 10,
      ...opts,
    };
    const poolIds: string[] = [];
    const start = this.pools.size;
    for (let k = 0; k < o.pools; k++) {
      const i = start + k;
      const base = this.seedPool(i, o.clientsPerPool);
      const slug = base.name.replace(/[^a-z0-9-]/g, '-');
      const role = (name: string) => `arn:aws:iam::${this.accountId}:role/${slug}-${name}`;
      const seedPool: SeedPool = {
        ...base,
        identityProviders: Array.from({ length: o.idps }, (_, j) => ({
          name: j % 2 === 0 ? `CorpSAML${j || ''}` : `PartnerOIDC${j > 1 ? j : ''}`,
          type: j % 2 === 0 ? ('SAML' as const) : ('OIDC' as const),
        })),
        groups: Array.from({ length: o.groups }, (_, j) => ({
          name: ['admins', 'editors', 'viewers'][j] ?? `group-${j + 1}`,
          description: `Members of ${slug}`,
          roleArn: role(['admin', 'editor', 'viewer'][j] ?? `group-${j + 1}`),
          precedence: j,
        })),
        resourceServers: Array.from({ length: o.resourceServers }, (_, j) => ({
          identifier: `https://api${j || ''}.${slug}.example.com`,
          name: `${slug}-api${j || ''}`,
          scopes: [
            { ScopeName: 'read', ScopeDescription: 'Read access' },
            { ScopeName: 'write', ScopeDescription: 'Write access' },
          ],
        })),
        mfa: { SoftwareTokenMfaConfiguration: { Enabled: base.config?.MfaConfiguration !== 'OFF' } },
        logDelivery: [
          {
            LogLevel: 'ERROR',
            EventSource: 'userNotification',
            CloudWatchLogsConfiguration: {
              LogGroupArn: `arn:aws:logs:${this.region}:${this.accountId}:log-group:/cognito/${slug}`,
            },
          },
        ],
      };
      const config = { ...base.config };
      if (o.domain) seedPool.domain = `${slug}-${i + 1}`.slice(0, 63);
      config.Domain = undefined;
      if (config.UserPoolAddOns) seedPool.riskConfiguration = defaultRiskConfiguration();
      seedPool.config = config;
      if (o.domain)
        seedPool.uiCustomization = {
          css: `.banner-customizable { background: #${(i * 4099).toString(16).padStart(6, '0').slice(-6)}; }`,
        };
      poolIds.push(this.addPool(seedPool));
    }
    const identityPoolIds: string[] = [];
    for (let k = 0; k < o.identityPools; k++) {
      const poolId = poolIds[k % Math.max(1, poolIds.length)];
      const clientId = poolId ? this.clientIds(poolId)[0] : undefined;
      const name = `identity_pool_${String(k + 1).padStart(2, '0')}`;
      identityPoolIds.push(
        this.addIdentityPool({
          name,
          allowUnauthenticated: k % 4 === 3,
          cognitoIdentityProviders:
            poolId && clientId
              ? [
                  {
                    ProviderName: `cognito-idp.${this.region}.amazonaws.com/${poolId}`,
                    ClientId: clientId,
                    ServerSideTokenCheck: k % 2 === 0,
                  },
                ]
              : [],
          roles: {
            authenticated: `arn:aws:iam::${this.accountId}:role/${name}-auth`,
            ...(k % 4 === 3 ? { unauthenticated: `arn:aws:iam::${this.accountId}:role/${name}-guest` } : {}),
          },
        }),
      );
    }
    return { poolIds, identityPoolIds };
  }

  // ------------------------------------------------------------------ the rest of the surface

  /** SetUserPoolMfaConfig (merges; `MfaConfiguration` also changes DescribeUserPool). Bumps nothing else. */
  setMfa(poolId: string, mfa: SeedMfa): void {
    this.model.setMfa(poolId, mfa);
  }

  /** SetRiskConfiguration for the pool or one client; `null` removes it. */
  setRiskConfiguration(poolId: string, risk: SeedRiskConfiguration | null, clientId?: string): void {
    if (clientId !== undefined) this.mustClient(poolId, clientId);
    this.model.setRiskConfiguration(poolId, risk, clientId);
  }

  addIdentityProvider(poolId: string, idp: SeedIdentityProvider): void {
    this.model.addIdentityProvider(poolId, idp);
  }

  /** UpdateIdentityProvider: `details` / `attributeMapping` merged key by key (`undefined` removes a key). */
  updateIdentityProvider(
    poolId: string,
    name: string,
    patch: Parameters<SurfaceModel['updateIdentityProvider']>[2],
  ): void {
    this.model.updateIdentityProvider(poolId, name, patch);
  }

  removeIdentityProvider(poolId: string, name: string): void {
    this.model.removeIdentityProvider(poolId, name);
  }

  addGroup(poolId: string, group: SeedGroup): void {
    this.model.addGroup(poolId, group);
  }

  /** UpdateGroup: a field set to `null` is removed. */
  updateGroup(poolId: string, name: string, patch: Parameters<SurfaceModel['updateGroup']>[2]): void {
    this.model.updateGroup(poolId, name, patch);
  }

  removeGroup(poolId: string, name: string): void {
    this.model.removeGroup(poolId, name);
  }

  addResourceServer(poolId: string, rs: SeedResourceServer): void {
    this.model.addResourceServer(poolId, rs);
  }

  updateResourceServer(
    poolId: string,
    identifier: string,
    patch: Parameters<SurfaceModel['updateResourceServer']>[2],
  ): void {
    this.model.updateResourceServer(poolId, identifier, patch);
  }

  removeResourceServer(poolId: string, identifier: string): void {
    this.model.removeResourceServer(poolId, identifier);
  }

  /** The prefix domain (`null` deletes it); DescribeUserPool reports it as `Domain`. */
  setDomain(poolId: string, domain: string | SeedDomain | null): void {
    this.model.setDomain(poolId, domain);
  }

  /** The custom domain (`null` deletes it); DescribeUserPool reports it as `CustomDomain`. */
  setCustomDomain(poolId: string, domain: string | SeedDomain | null): void {
    this.model.setCustomDomain(poolId, domain);
  }

  /** SetLogDeliveryConfiguration's LogConfigurations (`null` removes them). */
  setLogDelivery(poolId: string, logConfigurations: Record<string, unknown>[] | null): void {
    this.model.setLogDelivery(poolId, logConfigurations);
  }

  /** SetUICustomization for the pool or one client (`null` removes it). */
  setUiCustomization(poolId: string, ui: SeedUiCustomization | null, clientId?: string): void {
    if (clientId !== undefined) this.mustClient(poolId, clientId);
    this.model.setUiCustomization(poolId, ui, clientId);
  }

  /** Associate a web ACL with the pool (`null` disassociates it). */
  setWebAcl(poolId: string, acl: SeedWebAcl | null): void {
    this.model.setWebAcl(poolId, acl);
  }

  /** Add an identity pool; returns its id (`<region>:<uuid>`). */
  addIdentityPool(p: SeedIdentityPool): string {
    return this.model.addIdentityPool(p);
  }

  /** UpdateIdentityPool (a field set to `undefined` removes it). */
  updateIdentityPool(id: string, patch: IdentityPoolPatch): void {
    this.model.updateIdentityPool(id, patch);
  }

  /** SetIdentityPoolRoles. */
  setIdentityPoolRoles(
    id: string,
    roles: Record<string, string>,
    roleMappings?: Record<string, Record<string, unknown>>,
  ): void {
    this.model.setIdentityPoolRoles(id, roles, roleMappings);
  }

  removeIdentityPool(id: string): void {
    this.model.removeIdentityPool(id);
  }

  /** Ids of all identity pools, in listing order. */
  identityPoolIds(): string[] {
    return this.model.identityPoolIds();
  }

  // ------------------------------------------------------------------ faults

  /** Make the next matching request(s) fail (or be delayed). See {@link FaultRule}. */
  failNext(rule: FaultRule): FaultHandle {
    const installed: InstalledFault = { rule, remaining: rule.times ?? 1, hits: 0 };
    this.faults.push(installed);
    return {
      clear: () => {
        this.faults = this.faults.filter((f) => f !== installed);
      },
      get hits() {
        return installed.hits;
      },
      get remaining() {
        return installed.remaining;
      },
    };
  }

  /** Make matching requests fail until the returned handle (or {@link clearFaults}) clears it. */
  failAlways(rule: Omit<FaultRule, 'times'>): FaultHandle {
    return this.failNext({ ...rule, times: Number.POSITIVE_INFINITY });
  }

  /** Remove all fault rules. */
  clearFaults(): void {
    this.faults = [];
  }

  // ------------------------------------------------------------------ stats

  /** A snapshot of the counters (copy; safe to keep). */
  get stats(): StandinStats {
    const c = this.counters;
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
      inFlight: this.inFlight,
      peakConcurrency: c.peakConcurrency,
    };
  }

  /** The request log (copy), oldest first, capped at `maxLogEntries`. */
  get requests(): StandinRequest[] {
    return this.log.map((r) => ({ ...r }));
  }

  /** Zero all counters and the request log (in-flight requests are still tracked). */
  resetStats(): void {
    this.counters = this.freshCounters();
    this.log = [];
    this.reqSeq = 0;
  }

  // ------------------------------------------------------------------ HTTP

  private freshCounters() {
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

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.process(req, res, Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => res.destroy());
  }

  private process(req: IncomingMessage, res: ServerResponse, raw: string, routed = false): void {
    if (!routed) {
      if (this.organization.handle(req, res, raw)) return;
      const route = this.organization.route(req);
      if (route.kind === 'error') {
        const text = JSON.stringify({ __type: route.type, message: route.message });
        res.writeHead(route.status, {
          'Content-Type': 'application/x-amz-json-1.1',
          'Content-Length': Buffer.byteLength(text),
          'x-amzn-ErrorType': route.type,
        });
        res.end(text);
        return;
      }
      // The default account answers in any region the tests sign for (a single-target stand-in).
      if (route.accountId !== this.accountId || this.targets.has(`${route.accountId}|${route.region}`)) {
        this.target(route.accountId, route.region).process(req, res, raw, true);
        return;
      }
    }
    const now = performance.now();
    const c = this.counters;
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    const operation = dot >= 0 ? target.slice(dot + 1) : target || '(none)';
    const prefix = dot >= 0 ? target.slice(0, dot + 1) : '';
    const service = (Object.keys(TARGET_PREFIX) as SurfaceService[]).find((k) => TARGET_PREFIX[k] === prefix);
    const auth = String(req.headers.authorization ?? '');
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(auth)?.[1];

    let body: Json = {};
    let parseError: ServiceError | undefined;
    try {
      const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
      if (!isRecord(parsed)) throw new Error('not an object');
      body = parsed;
    } catch {
      parseError = new ServiceError(
        'SerializationException',
        'Start of structure or map found where not expected.',
      );
    }
    const poolId = this.poolIdOf(body);
    const clientId = typeof body.ClientId === 'string' ? body.ClientId : undefined;
    const identityPoolId = typeof body.IdentityPoolId === 'string' ? body.IdentityPoolId : undefined;

    const entry: StandinRequest = { seq: ++this.reqSeq, at: now - this.startedAt, operation, status: 0 };
    if (service !== undefined) entry.service = service;
    if (poolId !== undefined) entry.poolId = poolId;
    if (clientId !== undefined) entry.clientId = clientId;
    if (identityPoolId !== undefined) entry.identityPoolId = identityPoolId;
    if (accessKeyId !== undefined) entry.accessKeyId = accessKeyId;
    if (this.log.length < this.maxLogEntries) this.log.push(entry);

    c.totalCalls++;
    inc(c.calls, operation);
    this.inFlight++;
    c.peakConcurrency = Math.max(c.peakConcurrency, this.inFlight);
    res.on('close', () => {
      this.inFlight--;
    });

    if (
      req.method !== 'POST' ||
      service === undefined ||
      !(operation in SERVICE_OF) ||
      SERVICE_OF[operation as CognitoOperation] !== service
    ) {
      this.sendError(res, entry, new ServiceError('UnknownOperationException', ''), 0, service);
      return;
    }
    const op = operation as CognitoOperation;

    // Quota gate (before anything else, like the real front door).
    const category = OPERATION_CATEGORY[op];
    const catStats = c.byCategory[category];
    catStats.calls++;
    let poolStats: CategoryStats | undefined;
    if (category === 'UserPoolClientRead' && poolId !== undefined) {
      poolStats = c.byPool.get(poolId);
      if (!poolStats) {
        poolStats = newCategoryStats();
        c.byPool.set(poolId, poolStats);
      }
      poolStats.calls++;
    }
    const perPoolKey =
      this.rates[category].perPool !== undefined && poolId !== undefined ? `${poolId}|${op}` : undefined;
    let opStats: CategoryStats | undefined;
    if (perPoolKey !== undefined) {
      opStats = c.byPoolOperation.get(perPoolKey);
      if (!opStats) {
        opStats = newCategoryStats();
        c.byPoolOperation.set(perPoolKey, opStats);
      }
      opStats.calls++;
    }
    if (this.quotasOn) {
      const catBucket = this.bucket(category);
      const poolBucket = perPoolKey !== undefined ? this.poolBucket(perPoolKey, category) : undefined;
      const catOk = catBucket.available(now);
      const poolOk = poolBucket ? poolBucket.available(now) : true;
      if (!catOk || !poolOk) {
        c.throttled++;
        inc(c.throttledByOperation, op);
        catStats.throttled++;
        if (poolStats) poolStats.throttled++;
        if (opStats) opStats.throttled++;
        entry.throttledBy = catOk ? 'pool' : 'account';
        const type = THROTTLE_ERROR[service];
        this.send(res, entry, errorStatus(service, type), { __type: type, message: 'Rate exceeded' });
        return;
      }
      catBucket.take();
      poolBucket?.take();
    }
    catStats.admitted++;
    c.windows[category].add(now);
    if (poolStats && poolId !== undefined) {
      poolStats.admitted++;
      let w = c.poolWindows.get(poolId);
      if (!w) {
        w = new RateWindow();
        c.poolWindows.set(poolId, w);
      }
      w.add(now);
    }
    if (opStats && perPoolKey !== undefined) {
      opStats.admitted++;
      let w = c.poolOperationWindows.get(perPoolKey);
      if (!w) {
        w = new RateWindow();
        c.poolOperationWindows.set(perPoolKey, w);
      }
      w.add(now);
    }

    // Fault injection.
    let delay = this.latencyMs;
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.rule.operation === undefined || f.rule.operation === op) &&
        (f.rule.poolId === undefined || f.rule.poolId === poolId) &&
        (f.rule.clientId === undefined || f.rule.clientId === clientId) &&
        (f.rule.identityPoolId === undefined || f.rule.identityPoolId === identityPoolId),
    );
    if (fault) {
      fault.remaining--;
      fault.hits++;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      delay += fault.rule.delayMs ?? 0;
      if (fault.rule.error) {
        c.injected++;
        entry.injected = true;
        const message =
          fault.rule.message ??
          defaultMessage(
            fault.rule.error,
            op,
            service === 'cognito-identity' ? identityPoolId : poolId,
            this.region,
            this.accountId,
            service,
          );
        this.sendError(res, entry, new ServiceError(fault.rule.error, message), delay, service);
        return;
      }
    }

    if (parseError) {
      this.sendError(res, entry, parseError, delay, service);
      return;
    }
    let result: Json;
    try {
      result = this.dispatch(op, body);
    } catch (e) {
      this.sendError(res, entry, asServiceError(e), delay, service);
      return;
    }
    this.later(delay, () => this.send(res, entry, 200, result));
  }

  /** The user pool a request concerns: its UserPoolId, the owner of its Domain, or the pool of its ResourceArn. */
  private poolIdOf(body: Json): string | undefined {
    if (typeof body.UserPoolId === 'string') return body.UserPoolId;
    if (typeof body.Domain === 'string') return this.model.poolOfDomain(body.Domain);
    if (typeof body.ResourceArn === 'string') return this.model.poolOfArn(body.ResourceArn);
    return undefined;
  }

  private sendError(
    res: ServerResponse,
    entry: StandinRequest,
    err: ServiceError,
    delay: number,
    service: SurfaceService = 'cognito-idp',
  ): void {
    inc(this.counters.errors, err.type);
    const status = errorStatus(service, err.type);
    const payload: Json = { __type: err.type };
    if (err.message) payload.message = err.message;
    this.later(delay, () => this.send(res, entry, status, payload));
  }

  private later(delay: number, fn: () => void): void {
    if (delay <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, delay);
    this.timers.add(t);
  }

  private send(res: ServerResponse, entry: StandinRequest, status: number, payload: Json): void {
    entry.status = status;
    const type = payload.__type;
    if (typeof type === 'string') entry.errorType = type;
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(payload);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
    };
    if (typeof type === 'string') headers['x-amzn-ErrorType'] = type;
    res.writeHead(status, headers);
    res.end(text);
  }

  private bucket(category: QuotaCategory): TokenBucket {
    let b = this.categoryBuckets.get(category);
    if (!b) {
      const rate = this.rates[category].rps;
      b = new TokenBucket(rate, rate * this.burst);
      this.categoryBuckets.set(category, b);
    }
    return b;
  }

  /** The bucket of one operation on one pool (`<poolId>|<operation>`). */
  private poolBucket(key: string, category: QuotaCategory): TokenBucket {
    let b = this.poolBuckets.get(key);
    if (!b) {
      const rate = this.rates[category].perPool ?? this.rates[category].rps;
      b = new TokenBucket(rate, rate * this.burst);
      this.poolBuckets.set(key, b);
    }
    return b;
  }

  // ------------------------------------------------------------------ operations

  private dispatch(op: CognitoOperation, body: Json): Json {
    if (op in SURFACE_OPERATIONS) return this.model.answer(op as SurfaceOperation, body);
    if (this.catalogItems.serves(op)) return toWireJson(this.catalogItems.answer(op, body)) as Json;
    switch (op as (typeof POOL_CLIENT_OPERATIONS)[number]) {
      case 'ListUserPools':
        return this.listUserPools(body);
      case 'DescribeUserPool':
        return { UserPool: this.poolView(this.lookupPool(body)) };
      case 'ListUserPoolClients':
        return this.listUserPoolClients(body);
      case 'DescribeUserPoolClient':
        return { UserPoolClient: this.clientView(this.lookupClient(body)) };
      case 'ListUserPoolClientSecrets': {
        const client = this.lookupClient(body);
        return {
          ClientSecrets: client.secrets.map((s) => ({
            ClientSecretId: s.id,
            ClientSecretCreateDate: epochSeconds(s.createdAt),
          })),
        };
      }
    }
  }

  private listUserPools(body: Json): Json {
    const max = optionalMaxResults(body, true, 60);
    const after = this.readToken(body, 'ListUserPools', undefined);
    const all = [...this.pools.values()].filter((p) => p.seq > after).sort((a, b) => a.seq - b.seq);
    const page = all.slice(0, max);
    const out: Json = {
      UserPools: page.map((p) => ({
        Id: p.id,
        Name: p.name,
        LambdaConfig: isRecord(p.config.LambdaConfig) ? p.config.LambdaConfig : {},
        LastModifiedDate: epochSeconds(p.lastModifiedAt),
        CreationDate: epochSeconds(p.createdAt),
      })),
    };
    const last = page.at(-1);
    if (all.length > max && last) out.NextToken = this.makeToken('ListUserPools', undefined, last.seq);
    return out;
  }

  private listUserPoolClients(body: Json): Json {
    const poolId = requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
    const max = optionalMaxResults(body, false, 60);
    const after = this.readToken(body, 'ListUserPoolClients', poolId);
    const pool = this.pools.get(poolId);
    if (!pool) throw new ServiceError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    const all = [...pool.clients.values()].filter((c) => c.seq > after).sort((a, b) => a.seq - b.seq);
    const page = all.slice(0, max);
    const out: Json = {
      UserPoolClients: page.map((c) => ({ ClientId: c.id, UserPoolId: pool.id, ClientName: c.name })),
    };
    const last = page.at(-1);
    if (all.length > max && last) out.NextToken = this.makeToken('ListUserPoolClients', poolId, last.seq);
    return out;
  }

  private lookupPool(body: Json): PoolRecord {
    const poolId = requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
    const pool = this.pools.get(poolId);
    if (!pool) throw new ServiceError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    return pool;
  }

  private lookupClient(body: Json): ClientRecord {
    const poolId = requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
    const clientId = requireString(body, 'ClientId', 'clientId', CLIENT_ID_RE, 128);
    const pool = this.pools.get(poolId);
    if (!pool) throw new ServiceError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    const client = pool.clients.get(clientId);
    if (!client)
      throw new ServiceError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return client;
  }

  private poolView(p: PoolRecord): Json {
    return {
      Arn: `arn:aws:cognito-idp:${this.region}:${this.accountId}:userpool/${p.id}`,
      ...p.config,
      ...this.model.poolDomains(p.id),
      Id: p.id,
      Name: p.name,
      LastModifiedDate: epochSeconds(p.lastModifiedAt),
      CreationDate: epochSeconds(p.createdAt),
    };
  }

  private clientView(c: ClientRecord): Json {
    const view: Json = {
      UserPoolId: c.poolId,
      ClientName: c.name,
      ClientId: c.id,
    };
    if (c.secret !== undefined) view.ClientSecret = c.secret;
    view.LastModifiedDate = epochSeconds(c.lastModifiedAt);
    view.CreationDate = epochSeconds(c.createdAt);
    const reserved = new Set([
      'UserPoolId',
      'ClientName',
      'ClientId',
      'ClientSecret',
      'LastModifiedDate',
      'CreationDate',
    ]);
    for (const [k, v] of Object.entries(c.config)) if (!reserved.has(k)) view[k] = v;
    return view;
  }

  // ------------------------------------------------------------------ tokens

  private makeToken(op: string, poolId: string | undefined, seq: number): string {
    return makeToken(this.tokenKey, op, poolId, seq);
  }

  /** Returns the seq to continue after (0 without token). */
  private readToken(body: Json, op: string, poolId: string | undefined): number {
    return readToken(this.tokenKey, body, op, poolId);
  }

  // ------------------------------------------------------------------ helpers

  private mustPool(id: string): PoolRecord {
    const pool = this.pools.get(id);
    if (!pool) throw new Error(`pool ${id} does not exist`);
    return pool;
  }

  private mustClient(poolId: string, clientId: string): ClientRecord {
    const client = this.mustPool(poolId).clients.get(clientId);
    if (!client) throw new Error(`client ${clientId} does not exist in ${poolId}`);
    return client;
  }

  private randomString(alphabet: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.rand() * alphabet.length)];
    return s;
  }

  private uniqueId(gen: () => string, taken: (id: string) => boolean): string {
    for (;;) {
      const id = gen();
      if (!taken(id)) return id;
    }
  }

  private applySecrets(
    client: ClientRecord,
    value: string | undefined,
    secrets: SecretSeed[] | undefined,
    when: Date,
  ): void {
    if (secrets && secrets.length > 2) throw new Error('a client has at most 2 secrets');
    if (value === undefined && (!secrets || secrets.length === 0)) return;
    client.secret = value ?? this.randomString(LOWER_ALNUM, 52);
    client.secrets =
      secrets && secrets.length > 0
        ? secrets.map((s) => ({
            id: s.id ?? `${client.id}--${s.createdAt.getTime()}`,
            createdAt: s.createdAt,
          }))
        : [{ id: `${client.id}--${when.getTime()}`, createdAt: when }];
  }

  private seedPool(i: number, clientsPerPool: number): SeedPool {
    const r = this.rand;
    const apps = [
      'storefront',
      'payments',
      'partner-portal',
      'support-desk',
      'analytics',
      'mobile-banking',
      'hr-self-service',
      'iot-fleet',
    ];
    const envs = ['prod', 'staging', 'dev'];
    const app = apps[i % apps.length] ?? 'app';
    const env = envs[Math.floor(i / apps.length) % envs.length] ?? 'dev';
    const name = `${app}-${env}-users-${String(i + 1).padStart(3, '0')}`;
    const createdMs = 1_672_531_200_000 + i * 3 * 86_400_000 + Math.floor(r() * 86_400_000);
    const createdAt = new Date(createdMs);
    const lastModifiedAt = new Date(createdMs + Math.floor(r() * 200) * 86_400_000 + Math.floor(r() * 1000));
    const mfa = ['OFF', 'OPTIONAL', 'ON'][i % 3] ?? 'OFF';
    const tier = ['ESSENTIALS', 'LITE', 'PLUS'][i % 3] ?? 'ESSENTIALS';
    const lambdaArn = (fn: string) =>
      `arn:aws:lambda:${this.region}:${this.accountId}:function:${app}-${env}-${fn}`;
    const lambda: Json = {};
    if (i % 3 === 0) {
      lambda.PreSignUp = lambdaArn('pre-signup');
      lambda.PostConfirmation = lambdaArn('post-confirmation');
    }
    if (i % 5 === 0) {
      lambda.PreTokenGeneration = lambdaArn('pre-token');
      lambda.PreTokenGenerationConfig = { LambdaVersion: 'V2_0', LambdaArn: lambdaArn('pre-token') };
    }
    if (i % 7 === 0) lambda.UserMigration = lambdaArn('user-migration');
    const schema = standardSchema(true);
    schema.push({
      Name: 'custom:tenant_id',
      AttributeDataType: 'String',
      DeveloperOnlyAttribute: false,
      Mutable: false,
      Required: false,
      StringAttributeConstraints: { MinLength: '1', MaxLength: '64' },
    });
    if (i % 2 === 0) {
      schema.push({
        Name: 'custom:plan',
        AttributeDataType: 'String',
        DeveloperOnlyAttribute: false,
        Mutable: true,
        Required: false,
        StringAttributeConstraints: { MinLength: '0', MaxLength: '32' },
      });
    }
    const config: Json = {
      Policies: {
        PasswordPolicy: {
          MinimumLength: [8, 10, 12, 14][i % 4],
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: i % 4 !== 1,
          ...(tier === 'PLUS' ? { PasswordHistorySize: 5 } : {}),
          TemporaryPasswordValidityDays: [7, 3, 1][i % 3],
        },
        SignInPolicy: { AllowedFirstAuthFactors: i % 4 === 2 ? ['PASSWORD', 'EMAIL_OTP'] : ['PASSWORD'] },
      },
      DeletionProtection: env === 'prod' ? 'ACTIVE' : 'INACTIVE',
      LambdaConfig: lambda,
      SchemaAttributes: schema,
      MfaConfiguration: mfa,
      EstimatedNumberOfUsers: Math.floor(r() * 250_000),
      UserPoolTags: { environment: env, application: app, 'cost-center': `cc-${1000 + (i % 17)}` },
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: i % 4 === 3,
        UnusedAccountValidityDays: 7,
        InviteMessageTemplate: {
          EmailSubject: `Your ${app} account`,
          EmailMessage: 'Your username is {username} and temporary password is {####}.',
          SMSMessage: 'Your username is {username} and temporary password is {####}.',
        },
      },
      UserPoolTier: tier,
    };
    if (i % 3 === 1) {
      config.UsernameAttributes = undefined;
      config.AliasAttributes = ['email', 'preferred_username'];
    }
    if (mfa !== 'OFF') {
      config.SmsAuthenticationMessage = 'Your authentication code is {####}.';
      config.SmsConfiguration = {
        SnsCallerArn: `arn:aws:iam::${this.accountId}:role/service-role/${app}-${env}-cognito-sms`,
        ExternalId: `${app}-${env}-external`,
        SnsRegion: this.region,
      };
      config.AccountRecoverySetting = {
        RecoveryMechanisms: [
          { Priority: 1, Name: 'verified_email' },
          { Priority: 2, Name: 'verified_phone_number' },
        ],
      };
    }
    if (tier === 'PLUS') config.UserPoolAddOns = { AdvancedSecurityMode: i % 2 === 0 ? 'ENFORCED' : 'AUDIT' };
    if (i % 2 === 0) config.Domain = `${app}-${env}-${i + 1}`;
    const domain = `${app}.${env === 'prod' ? '' : `${env}.`}example.com`;
    const clients: SeedClient[] = [];
    for (let j = 0; j < clientsPerPool; j++)
      clients.push(this.seedClient((i + j) % 6, j, domain, app, createdMs));
    return { name, config, createdAt, lastModifiedAt, clients };
  }

  private seedClient(
    role: number,
    j: number,
    domain: string,
    app: string,
    poolCreatedMs: number,
  ): SeedClient {
    const r = this.rand;
    const createdMs = poolCreatedMs + (j + 1) * 3_600_000 + Math.floor(r() * 3_600_000);
    const createdAt = new Date(createdMs);
    const lastModifiedAt = new Date(createdMs + Math.floor(r() * 90) * 86_400_000 + Math.floor(r() * 1000));
    const scopes = ['openid', 'email', 'profile'];
    const rs = `https://api.${domain}`;
    const suffix = j >= 6 ? `-${Math.floor(j / 6) + 1}` : '';
    const confidential = role % 2 === 1;
    const base = { createdAt, lastModifiedAt };
    let config: Json;
    let name: string;
    switch (role) {
      case 0:
        name = `${app}-web-spa`;
        config = {
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
          SupportedIdentityProviders: ['COGNITO', 'Google'],
          CallbackURLs: [`https://app.${domain}/auth/callback`, 'http://localhost:3000/auth/callback'],
          LogoutURLs: [`https://app.${domain}/signed-out`],
          DefaultRedirectURI: `https://app.${domain}/auth/callback`,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: scopes,
          AllowedOAuthFlowsUserPoolClient: true,
          ReadAttributes: ['email', 'email_verified', 'name', 'custom:tenant_id'],
          WriteAttributes: ['email', 'name'],
        };
        break;
      case 1:
        name = `${app}-backend-service`;
        config = {
          AccessTokenValidity: 15,
          IdTokenValidity: 15,
          RefreshTokenValidity: 1,
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
          SupportedIdentityProviders: ['COGNITO'],
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: [`${rs}/orders.read`, `${rs}/orders.write`],
          AllowedOAuthFlowsUserPoolClient: true,
        };
        break;
      case 2:
        name = `${app}-ios`;
        config = {
          RefreshTokenValidity: 90,
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'],
          SupportedIdentityProviders: ['COGNITO', 'SignInWithApple'],
          CallbackURLs: [`${app.replace(/-/g, '')}://auth/callback`],
          LogoutURLs: [`${app.replace(/-/g, '')}://auth/signout`],
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: [...scopes, 'aws.cognito.signin.user.admin'],
          AllowedOAuthFlowsUserPoolClient: true,
        };
        break;
      case 3:
        name = `${app}-admin-portal`;
        config = {
          AccessTokenValidity: 30,
          IdTokenValidity: 30,
          RefreshTokenValidity: 12,
          TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'hours' },
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH'],
          SupportedIdentityProviders: ['CorpSAML'],
          CallbackURLs: [`https://admin.${domain}/oauth2/idpresponse`],
          LogoutURLs: [`https://admin.${domain}/logout`],
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'email'],
          AllowedOAuthFlowsUserPoolClient: true,
          EnablePropagateAdditionalUserContextData: true,
        };
        break;
      case 4:
        name = `${app}-android`;
        config = {
          RefreshTokenValidity: 90,
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
          SupportedIdentityProviders: ['COGNITO', 'Google', 'Facebook'],
          CallbackURLs: [`com.example.${app.replace(/-/g, '')}://callback`],
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: scopes,
          AllowedOAuthFlowsUserPoolClient: true,
          PreventUserExistenceErrors: 'LEGACY',
        };
        break;
      default:
        name = `${app}-partner-integration`;
        config = {
          AccessTokenValidity: 1,
          TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' },
          ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
          SupportedIdentityProviders: ['COGNITO'],
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: [`${rs}/partner.read`],
          AllowedOAuthFlowsUserPoolClient: true,
        };
        break;
    }
    const client: SeedClient = { ...base, name: `${name}${suffix}`, config };
    if (confidential) {
      client.secret = this.randomString(LOWER_ALNUM, 52);
      // Partner integrations are mid-rotation: two secrets.
      if (role === 5) {
        client.secrets = [{ createdAt }, { createdAt: new Date(createdMs + 30 * 86_400_000) }];
      }
    }
    return client;
  }
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pools: { type: 'string', default: '30' },
      clients: { type: 'string', default: '5' },
      port: { type: 'string', default: '0' },
      latency: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
      'no-quotas': { type: 'boolean', default: false },
    },
  });
  const standin = await CognitoStandin.start({
    port: Number(values.port),
    latencyMs: Number(values.latency),
    seed: Number(values.seed),
    quotas: !values['no-quotas'],
  });
  standin.seed(Number(values.pools), Number(values.clients));
  process.stdout.write(`${standin.endpoint}\n`);
  process.stderr.write(
    `cognito stand-in: ${values.pools} pools × ${values.clients} clients; ` +
      `export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=${standin.endpoint}; Ctrl-C to stop\n`,
  );
  const shutdown = () => {
    void standin.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
