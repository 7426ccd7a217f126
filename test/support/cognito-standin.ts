/**
 * A local stand-in for the AWS control planes cognito-drift reads: Cognito user pools (`cognito-idp`),
 * Cognito identity pools (`cognito-identity`) and the web ACL of a pool (`wafv2`).
 *
 * It is a small HTTP server on 127.0.0.1 that speaks the real AWS JSON 1.1 wire protocol and routes by
 * the `X-Amz-Target` prefix, so the unmodified `CognitoIdentityProviderClient`, `CognitoIdentityClient`
 * and `WAFV2Client` can all talk to the one port through `endpoint` (see {@link CognitoStandin.clientConfig})
 * or the `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` / `AWS_ENDPOINT_URL_COGNITO_IDENTITY` /
 * `AWS_ENDPOINT_URL_WAFV2` environment variables ({@link CognitoStandin.endpointEnv}). It serves the
 * {@link AccountModel} (`account-model.ts`, the same model the in-memory fake `fake-aws.ts` answers
 * from): the reads cognito-drift makes, with faithful pagination and opaque tokens, and the
 * create/update/delete calls of the AWS CLI (`account-writes.ts`); on top it adds the documented
 * request quotas of `lambda/adapters/quotas.ts` (token buckets, per account and region, per account
 * alone for an account-scoped category (IAM's, shared by the account's Regions' targets), and, where
 * documented, per pool and operation, on the clock of the `now` option), per-call latency and fault
 * injection.
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
import { AccountFace } from './account-face.js';
import {
  asServiceError,
  type CognitoOperation,
  defaultMessage,
  errorStatus,
  OPERATION_CATEGORY,
  type QuotaCategory,
  ServiceError,
  type StandinErrorType,
  TARGET_PREFIX,
  THROTTLE_ERROR,
} from './standin-protocol.js';
import {
  AccountBuckets,
  type CategoryStats,
  defaultRates,
  freshCounters,
  inc,
  newCategoryStats,
  RateWindow,
  type StandinStats,
  statsOf,
  TokenBucket,
} from './standin-quotas.js';
import type {
  FaultHandle,
  FaultRule,
  StandinClientConfig,
  StandinOptions,
  StandinRequest,
  StandinRuntimeOptions,
} from './standin-types.js';

export type { CognitoOperation, QuotaCategory, StandinErrorType } from './standin-protocol.js';
export { ERROR_STATUS, OPERATION_CATEGORY } from './standin-protocol.js';
export type { CategoryStats, StandinStats } from './standin-quotas.js';
export type {
  FaultHandle,
  FaultRule,
  StandinClientConfig,
  StandinOptions,
  StandinRequest,
  StandinRuntimeOptions,
} from './standin-types.js';

import { isAccountScoped } from '../../lambda/adapters/quotas.js';
import {
  AccountModel,
  type ClientPatch,
  epochSeconds,
  isRecord,
  type PoolPatch,
  type SeedClient,
  type SeedPool,
} from './account-model.js';
import { seedFullSurface, seedPools } from './account-seed.js';
import { ACCOUNT_WRITES } from './account-writes.js';
import { type CatalogOperations, toWireJson } from './catalog-operations.js';
import { type SurfaceOperation, type SurfaceService, withSdkDates } from './cognito-surface.js';
import { StandinOrganization } from './standin-organization.js';
import { decodeWireRequest, encodeWireResponse, serviceErrorName } from './standin-wire.js';

export type { ClientPatch, PoolPatch, SecretSeed, SeedClient, SeedPool } from './account-model.js';

type Json = Record<string, unknown>;

interface InstalledFault {
  rule: FaultRule;
  remaining: number;
  hits: number;
}

const DEFAULT_CLOCK_START_MS = 1_732_300_000_000;

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
export class CognitoStandin extends AccountFace {
  /** Secrets Manager secrets by ARN (GetSecretValue only: the digest key). */
  private readonly secrets = new Map<string, string>();
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
  private readonly now: () => number;
  private readonly startedAt: number;
  /** The account this stand-in serves: pools, clients, secrets and the rest of the surface. */
  readonly account: AccountModel;
  private latencyMs = 60;
  private quotasOn = true;
  private rates = defaultRates();
  private burst = 1;
  private categoryBuckets = new Map<QuotaCategory, TokenBucket>();
  /** The account-scoped categories' buckets (IAM's), shared with the account's other Regions' targets. */
  private readonly accountBuckets: AccountBuckets;
  private poolBuckets = new Map<string, TokenBucket>();
  private faults: InstalledFault[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private log: StandinRequest[] = [];
  private reqSeq = 0;
  private inFlight = 0;
  private counters = freshCounters();

  private constructor(
    server: Server,
    endpoint: string,
    opts: StandinOptions,
    organization?: StandinOrganization,
    accountBuckets?: AccountBuckets,
  ) {
    super();
    this.server = server;
    this.endpoint = endpoint;
    this.options = opts;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.organization = organization ?? new StandinOrganization(this.accountId, this.region);
    this.accountBuckets = accountBuckets ?? new AccountBuckets();
    const seed = opts.seed ?? 1;
    this.rand = prng(seed);
    this.tokenKey = `cognito-standin-${seed}`;
    this.maxLogEntries = opts.maxLogEntries ?? 100_000;
    this.now = opts.now ?? (() => performance.now());
    this.startedAt = this.now();
    let tick = 0;
    this.clock = opts.clock ?? (() => new Date(DEFAULT_CLOCK_START_MS + 1000 * tick++));
    this.account = new AccountModel({
      region: this.region,
      accountId: this.accountId,
      tokenKey: this.tokenKey,
      clock: this.clock,
      rand: this.rand,
    });
    this.account.serve(ACCOUNT_WRITES);
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
   * The stand-in of one (account, region): its own pools, quotas (an account-scoped category's, IAM's,
   * shared with the account's other Regions), faults and stats, on the same port.
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
        this.accountBuckets,
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
      AWS_ENDPOINT_URL_LAMBDA: this.endpoint,
      AWS_ENDPOINT_URL_IAM: this.endpoint,
      AWS_ENDPOINT_URL_KMS: this.endpoint,
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
    this.accountBuckets.reset(this.accountId);
  }

  // ------------------------------------------------------------------ state

  /** Adds a Secrets Manager secret (its ARN, `arn:aws:secretsmanager:<region>:<account>:secret:<name>`). */
  putSecret(arn: string, value: string): void {
    this.secrets.set(arn, value);
  }

  /** Add a user pool (and its clients). Returns the pool id. Throws if the id already exists. */
  addPool(p: SeedPool): string {
    return this.account.addPool(p);
  }

  /** Remove a user pool (throws if unknown). */
  removePool(id: string): void {
    this.account.removePool(id);
    for (const key of this.poolBuckets.keys()) if (key.startsWith(`${id}|`)) this.poolBuckets.delete(key);
  }

  /** Update a pool's name/config; bumps LastModifiedDate. */
  updatePool(id: string, patch: PoolPatch): void {
    this.account.updatePool(id, patch);
  }

  /** Add an app client to a pool. Returns the client id. */
  addClient(poolId: string, c: SeedClient): string {
    return this.account.addClient(poolId, c);
  }

  /** Remove an app client (throws if unknown). */
  removeClient(poolId: string, clientId: string): void {
    this.account.removeClient(poolId, clientId);
  }

  /** Update an app client; bumps LastModifiedDate. */
  updateClient(poolId: string, clientId: string, patch: ClientPatch): void {
    this.account.updateClient(poolId, clientId, patch);
  }

  /** Ids of all pools, in listing order. */
  poolIds(): string[] {
    return this.account.sortedPools().map((p) => p.id);
  }

  /** Ids of a pool's clients, in listing order. */
  clientIds(poolId: string): string[] {
    return this.account.sortedClients(this.account.mustPool(poolId)).map((c) => c.id);
  }

  /** The DescribeUserPool `UserPool` object as the SDK would see it before date parsing (dates as epoch seconds). */
  describePool(poolId: string): Json {
    return this.account.poolView(this.account.mustPool(poolId));
  }

  /** The DescribeUserPoolClient `UserPoolClient` object (dates as epoch seconds, includes ClientSecret). */
  describeClient(poolId: string, clientId: string): Json {
    return this.account.clientView(this.account.mustClient(poolId, clientId));
  }

  /**
   * What the SDK returns for one operation of the rest of the surface (MFA, IdPs, groups, identity
   * pools, web ACL, ...), answered by the model directly, without HTTP, quotas or faults: for the
   * benchmark's synthetic account, which needs thousands of answers and no wire.
   */
  answerSurface(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    if (this.account.catalogItems.serves(operation))
      return withSdkDates(this.account.catalogItems.answer(operation, input));
    return withSdkDates(this.model.answer(operation as SurfaceOperation, input));
  }

  /** Raw API items of the catalog operations served generically (a new resource kind's reads). */
  get catalogItems(): CatalogOperations {
    return this.account.catalogItems;
  }

  /**
   * Add `pools` realistic pools with `clientsPerPool` clients each (deterministic for a given `seed`
   * option and call order). About half the clients are confidential with a secret; some have two
   * secrets (rotation in progress). Returns the new pool ids.
   */
  seed(pools: number, clientsPerPool: number): string[] {
    return seedPools(this.account, pools, clientsPerPool);
  }

  /** The benchmark's full-surface account (see `seedFullSurface` in `account-seed.ts`). */
  seedFullSurface(opts: Parameters<typeof seedFullSurface>[1] = {}): {
    poolIds: string[];
    identityPoolIds: string[];
  } {
    return seedFullSurface(this.account, opts);
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
    return statsOf(this.counters, this.inFlight);
  }

  /** The request log (copy), oldest first, capped at `maxLogEntries`. */
  get requests(): StandinRequest[] {
    return this.log.map((r) => ({ ...r }));
  }

  /** Zero all counters and the request log (in-flight requests are still tracked). */
  resetStats(): void {
    this.counters = freshCounters();
    this.log = [];
    this.reqSeq = 0;
  }

  // ------------------------------------------------------------------ HTTP

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
    const now = this.now();
    const c = this.counters;
    // Lambda (REST-JSON) and IAM (query) name no target: their path or form says the operation.
    const wire = decodeWireRequest(req, raw);
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    const operation = wire?.operation ?? (dot >= 0 ? target.slice(dot + 1) : target || '(none)');
    const prefix = dot >= 0 ? target.slice(0, dot + 1) : '';
    const service =
      wire?.service ??
      (Object.keys(TARGET_PREFIX) as SurfaceService[]).find((k) => TARGET_PREFIX[k] === prefix);
    const auth = String(req.headers.authorization ?? '');
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(auth)?.[1];

    let body: Json = {};
    let parseError: ServiceError | undefined;
    try {
      const parsed: unknown = wire ? wire.body : raw.trim() === '' ? {} : JSON.parse(raw);
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

    // The digest key's secret (Secrets Manager's JSON 1.1 protocol, one operation).
    if (req.method === 'POST' && target === 'secretsmanager.GetSecretValue') {
      this.getSecretValue(res, entry, body);
      return;
    }
    if (
      (req.method !== 'POST' && !wire) ||
      service === undefined ||
      this.account.serviceOf(operation) !== service
    ) {
      this.sendError(res, entry, new ServiceError('UnknownOperationException', ''), 0, service);
      return;
    }
    const op = operation as CognitoOperation;
    // Writes have no read quota of ours (`lambda/adapters/quotas.ts` lists reads only): never throttled here.
    const category: QuotaCategory | undefined = OPERATION_CATEGORY[op];
    if (category !== undefined && !this.admit(res, entry, op, category, poolId, now, service)) return;
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
        entry.delayMs = delay;
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

    entry.delayMs = delay;
    if (parseError) {
      this.sendError(res, entry, parseError, delay, service);
      return;
    }
    let result: Json;
    try {
      result = toWireJson(this.account.answer(op, body)) as Json;
    } catch (e) {
      this.sendError(res, entry, asServiceError(e), delay, service);
      return;
    }
    this.later(delay, () => this.send(res, entry, 200, result, service));
  }

  /** The quota gate (before anything else, like the real front door): counts, and answers a throttle. */
  private admit(
    res: ServerResponse,
    entry: StandinRequest,
    op: CognitoOperation,
    category: QuotaCategory,
    poolId: string | undefined,
    now: number,
    service: SurfaceService,
  ): boolean {
    const c = this.counters;
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
        this.send(
          res,
          entry,
          errorStatus(service, type),
          { __type: type, message: 'Rate exceeded' },
          service,
        );
        return false;
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

    return true;
  }

  /** The user pool a request concerns: its UserPoolId, the owner of its Domain, or the pool of its ResourceArn. */
  private poolIdOf(body: Json): string | undefined {
    if (typeof body.UserPoolId === 'string') return body.UserPoolId;
    if (typeof body.Domain === 'string') return this.model.poolOfDomain(body.Domain);
    if (typeof body.ResourceArn === 'string') return this.model.poolOfArn(body.ResourceArn);
    return undefined;
  }

  /**
   * Secrets Manager GetSecretValue: the string of a secret added with {@link putSecret}, by ARN or
   * name; ResourceNotFoundException (HTTP 400) otherwise, as Secrets Manager answers.
   */
  private getSecretValue(res: ServerResponse, entry: StandinRequest, body: Json): void {
    const id = typeof body.SecretId === 'string' ? body.SecretId : '';
    const found = [...this.secrets.entries()].find(([arn]) => arn === id || arn.split(':')[6] === id);
    if (!found) {
      this.send(res, entry, 400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
      return;
    }
    const [arn, value] = found;
    this.send(res, entry, 200, {
      ARN: arn,
      Name: arn.split(':')[6],
      SecretString: value,
      VersionId: 'v1',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: epochSeconds(new Date('2026-01-01T00:00:00Z')),
    });
  }

  private sendError(
    res: ServerResponse,
    entry: StandinRequest,
    err: ServiceError,
    delay: number,
    service: SurfaceService = 'cognito-idp',
  ): void {
    const type = serviceErrorName(service, err.type) as StandinErrorType;
    inc(this.counters.errors, type);
    const status = errorStatus(service, type);
    const payload: Json = { __type: type };
    if (err.message) payload.message = err.message;
    this.later(delay, () => this.send(res, entry, status, payload, service));
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

  private send(
    res: ServerResponse,
    entry: StandinRequest,
    status: number,
    payload: Json,
    service?: SurfaceService,
  ): void {
    entry.status = status;
    const type = payload.__type;
    if (typeof type === 'string') entry.errorType = type;
    if (res.destroyed || res.writableEnded) return;
    const wire = encodeWireResponse(service, entry.operation, payload, randomUUID());
    if (wire) {
      res.writeHead(status, {
        'Content-Type': wire.contentType,
        'Content-Length': Buffer.byteLength(wire.text),
        'x-amzn-RequestId': randomUUID(),
        ...(wire.errorType ? { 'x-amzn-ErrorType': wire.errorType } : {}),
      });
      res.end(wire.text);
      return;
    }
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
    const make = () => {
      const rate = this.rates[category].rps;
      return new TokenBucket(rate, rate * this.burst, this.now());
    };
    // A global service's rate (IAM's) is the account's: one bucket for all its Regions' targets.
    if (isAccountScoped(category)) return this.accountBuckets.of(this.accountId, category, make);
    let b = this.categoryBuckets.get(category);
    if (!b) {
      b = make();
      this.categoryBuckets.set(category, b);
    }
    return b;
  }

  /** The bucket of one operation on one pool (`<poolId>|<operation>`). */
  private poolBucket(key: string, category: QuotaCategory): TokenBucket {
    let b = this.poolBuckets.get(key);
    if (!b) {
      const rate = this.rates[category].perPool ?? this.rates[category].rps;
      b = new TokenBucket(rate, rate * this.burst, this.now());
      this.poolBuckets.set(key, b);
    }
    return b;
  }

  // ------------------------------------------------------------------ operations
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
