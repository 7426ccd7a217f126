/**
 * ONE model of a Cognito account for the tests: user pools, app clients and their secrets here, the
 * rest of the surface (MFA, identity providers, groups, domains, identity pools, ...) in the
 * {@link SurfaceModel} it owns. It keeps the state and answers operations with the services' wire
 * JSON (epoch-second dates) or an {@link AwsError}; it knows nothing of HTTP, quotas or faults.
 *
 * Its faces: the HTTP stand-in (`cognito-standin.ts`) serves {@link AccountModel.answer} over the real
 * wire protocol, with quotas, latency and faults; the in-memory answers for the benchmark use it
 * directly. Every operation is one row of a table (`POOL_CLIENT_READS` here, `ACCOUNT_WRITES` in
 * `account-writes.ts`, `SURFACE_OPERATIONS` in `cognito-surface.ts`), so a generic, catalog-driven
 * handler can be added as more rows.
 *
 * @module
 */
import { defaultClientConfig, defaultPoolConfig, mergeConfig } from './account-defaults.js';
import type {
  ClientPatch,
  ClientRecord,
  PoolPatch,
  PoolRecord,
  SecretSeed,
  SeedClient,
  SeedPool,
} from './account-types.js';
import { CATALOG_OPERATIONS, CatalogOperations, catalogExamples } from './catalog-operations.js';
import {
  AwsError,
  makeToken,
  page,
  pageSize,
  readToken,
  requireString,
  SURFACE_OPERATIONS,
  SurfaceModel,
  type SurfaceOperation,
  type SurfaceSeed,
  type SurfaceService,
} from './cognito-surface.js';

export type {
  ClientPatch,
  ClientRecord,
  PoolPatch,
  PoolRecord,
  SecretSeed,
  SeedClient,
  SeedPool,
} from './account-types.js';

type Json = Record<string, unknown>;

/** What the model needs from its owner: where it is, and its deterministic sources of ids and time. */
export interface AccountModelOptions {
  region: string;
  accountId: string;
  /** Key of the pagination tokens' MAC. */
  tokenKey: string;
  /** Dates of objects created or changed without explicit dates. */
  clock: () => Date;
  /** Deterministic PRNG in [0, 1) for ids and secrets. */
  rand: () => number;
  /**
   * What a pool and a client hold when a seed does not say: by default a new Cognito pool and
   * public client (`account-defaults.ts`); the unit tests' account uses hardened production ones.
   */
  defaults?: { pool: () => Json; client: () => Json };
}

export const POOL_ID_RE = /^[\w-]+_[0-9a-zA-Z]+$/;
export const CLIENT_ID_RE = /^[\w+]+$/;
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** DescribeUserPoolClient fields the model controls; a config never overrides them. */
const CLIENT_RESERVED = new Set([
  'UserPoolId',
  'ClientName',
  'ClientId',
  'ClientSecret',
  'LastModifiedDate',
  'CreationDate',
]);

/** An operation handler: the request body in, the wire answer out (or an {@link AwsError} thrown). */
export type OperationHandler = (model: AccountModel, body: Json) => Json;

/** One row of an operation table: the service (X-Amz-Target prefix) and the handler. */
export interface OperationRow {
  service: SurfaceService;
  handle: OperationHandler;
}

export function epochSeconds(d: Date): number {
  return d.getTime() / 1000;
}

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function maxResults(body: Json, required: boolean): number {
  return pageSize(body, 'MaxResults', 'maxResults', { min: 1, max: 60, required, fallback: 60 });
}

/** The pool and client reads cognito-drift makes, with Cognito's paging and validation. */
export const POOL_CLIENT_READS: Readonly<Record<string, OperationRow>> = {
  ListUserPools: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const max = maxResults(body, true);
      const after = readToken(m.tokenKey, body, 'ListUserPools', undefined);
      const p0 = page(m.sortedPools(), after, max);
      const out: Json = {
        UserPools: p0.slice.map((p) => ({
          Id: p.id,
          Name: p.name,
          LambdaConfig: isRecord(p.config.LambdaConfig) ? p.config.LambdaConfig : {},
          LastModifiedDate: epochSeconds(p.lastModifiedAt),
          CreationDate: epochSeconds(p.createdAt),
        })),
      };
      if (p0.more) out.NextToken = makeToken(m.tokenKey, 'ListUserPools', undefined, p0.lastSeq);
      return out;
    },
  },
  DescribeUserPool: {
    service: 'cognito-idp',
    handle: (m, body) => ({ UserPool: m.poolView(m.lookupPool(body)) }),
  },
  ListUserPoolClients: {
    service: 'cognito-idp',
    handle: (m, body) => {
      const poolId = requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
      const max = maxResults(body, false);
      const after = readToken(m.tokenKey, body, 'ListUserPoolClients', poolId);
      const pool = m.lookupPool(body);
      const p0 = page(m.sortedClients(pool), after, max);
      const out: Json = {
        UserPoolClients: p0.slice.map((c) => ({ ClientId: c.id, UserPoolId: pool.id, ClientName: c.name })),
      };
      if (p0.more) out.NextToken = makeToken(m.tokenKey, 'ListUserPoolClients', poolId, p0.lastSeq);
      return out;
    },
  },
  DescribeUserPoolClient: {
    service: 'cognito-idp',
    handle: (m, body) => ({ UserPoolClient: m.clientView(m.lookupClient(body)) }),
  },
  ListUserPoolClientSecrets: {
    service: 'cognito-idp',
    handle: (m, body) => ({
      ClientSecrets: m.lookupClient(body).secrets.map((s) => ({
        ClientSecretId: s.id,
        ClientSecretCreateDate: epochSeconds(s.createdAt),
      })),
    }),
  },
};

/** The rest of the surface's reads, answered by the {@link SurfaceModel}. */
const SURFACE_READS: Readonly<Record<string, OperationRow>> = Object.fromEntries(
  (Object.entries(SURFACE_OPERATIONS) as [SurfaceOperation, SurfaceService][]).map(([op, service]) => [
    op,
    { service, handle: (m: AccountModel, body: Json) => m.surface.answer(op, body) },
  ]),
);

/**
 * Every catalog operation the surface model does not answer by hand (a new resource kind's reads):
 * served generically from the raw API items its tests store in {@link AccountModel.catalogItems}.
 */
const CATALOG_READS: Readonly<Record<string, OperationRow>> = Object.fromEntries(
  [...CATALOG_OPERATIONS.values()]
    .filter((op) => !(op.name in SURFACE_OPERATIONS))
    .map((op) => [
      op.name,
      { service: op.service, handle: (m: AccountModel, body: Json) => m.catalogItems.answer(op.name, body) },
    ]),
);

/** The model of one account and region. */
export class AccountModel {
  readonly region: string;
  readonly accountId: string;
  readonly tokenKey: string;
  readonly clock: () => Date;
  readonly rand: () => number;
  readonly surface: SurfaceModel;
  /** Raw API items of the catalog operations no table here answers by hand (see `catalog-operations.ts`). */
  readonly catalogItems: CatalogOperations;
  readonly pools = new Map<string, PoolRecord>();
  private readonly allClientIds = new Set<string>();
  private poolSeq = 0;
  private readonly defaults: { pool: () => Json; client: () => Json };
  /** Every operation answered, by name: the reads, and the writes the owner adds with {@link serve}. */
  private readonly operations = new Map<string, OperationRow>([
    ...Object.entries(POOL_CLIENT_READS),
    ...Object.entries(SURFACE_READS),
    ...Object.entries(CATALOG_READS),
  ]);

  constructor(opts: AccountModelOptions) {
    this.region = opts.region;
    this.accountId = opts.accountId;
    this.tokenKey = opts.tokenKey;
    this.clock = opts.clock;
    this.rand = opts.rand;
    this.defaults = opts.defaults ?? { pool: defaultPoolConfig, client: defaultClientConfig };
    this.catalogItems = new CatalogOperations(this.tokenKey);
    this.surface = new SurfaceModel({
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
  }

  /** Adds operations (a table such as `ACCOUNT_WRITES`); a name already served is replaced. */
  serve(table: Readonly<Record<string, OperationRow>>): void {
    for (const [name, row] of Object.entries(table)) this.operations.set(name, row);
  }

  /** The service of an operation this model answers, or undefined. */
  serviceOf(operation: string): SurfaceService | undefined {
    return this.operations.get(operation)?.service;
  }

  /** Answers one operation with wire JSON, or throws {@link AwsError}. */
  answer(operation: string, body: Json): Json {
    const row = this.operations.get(operation);
    if (!row) throw new AwsError('UnknownOperationException', '');
    return row.handle(this, body);
  }

  // ---- arranging

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
    const config = mergeConfig(this.defaults.pool(), p.config);
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
      this.surface.addPool(id, surface);
      // Every kind's own items of a pool (its `examples` without clients): a kind every pool has
      // (one answer per pool) then reads in every test world, not only in its own tests.
      for (const item of catalogExamples(id, []))
        this.catalogItems.put(item.operation, { ...item.keys }, item.value);
      for (const c of p.clients ?? []) this.addClient(id, c);
    } catch (e) {
      this.pools.delete(id);
      this.surface.removePool(id);
      throw e;
    }
    return id;
  }

  /** Remove a user pool (throws if unknown). */
  removePool(id: string): void {
    const pool = this.mustPool(id);
    for (const clientId of pool.clients.keys()) this.allClientIds.delete(clientId);
    this.pools.delete(id);
    this.surface.removePool(id);
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
      config: mergeConfig(this.defaults.client(), c.config),
      poolId,
    };
    this.applySecrets(client, c.secret, c.secrets, createdAt);
    pool.clients.set(id, client);
    this.allClientIds.add(id);
    this.surface.addClient(poolId, id, c);
    return id;
  }

  /** Remove an app client (throws if unknown). */
  removeClient(poolId: string, clientId: string): void {
    if (!this.mustPool(poolId).clients.delete(clientId)) throw new Error(`client ${clientId} does not exist`);
    this.allClientIds.delete(clientId);
    this.surface.removeClient(poolId, clientId);
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

  /** Pools in listing order. */
  sortedPools(): PoolRecord[] {
    return [...this.pools.values()].sort((a, b) => a.seq - b.seq);
  }

  /** A pool's clients in listing order. */
  sortedClients(pool: PoolRecord): ClientRecord[] {
    return [...pool.clients.values()].sort((a, b) => a.seq - b.seq);
  }

  // ---- views and lookups (wire shapes)

  /** DescribeUserPool's `UserPool` (dates as epoch seconds). */
  poolView(p: PoolRecord): Json {
    return {
      Arn: `arn:aws:cognito-idp:${this.region}:${this.accountId}:userpool/${p.id}`,
      ...p.config,
      ...this.surface.poolDomains(p.id),
      Id: p.id,
      Name: p.name,
      LastModifiedDate: epochSeconds(p.lastModifiedAt),
      CreationDate: epochSeconds(p.createdAt),
    };
  }

  /** DescribeUserPoolClient's `UserPoolClient` (dates as epoch seconds, with the secret VALUE). */
  clientView(c: ClientRecord): Json {
    const view: Json = { UserPoolId: c.poolId, ClientName: c.name, ClientId: c.id };
    if (c.secret !== undefined) view.ClientSecret = c.secret;
    view.LastModifiedDate = epochSeconds(c.lastModifiedAt);
    view.CreationDate = epochSeconds(c.createdAt);
    for (const [k, v] of Object.entries(c.config)) if (!CLIENT_RESERVED.has(k)) view[k] = v;
    return view;
  }

  /** The request's `UserPoolId`, validated, and its pool (ResourceNotFoundException otherwise). */
  lookupPool(body: Json): PoolRecord {
    const poolId = requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
    const pool = this.pools.get(poolId);
    if (!pool) throw new AwsError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    return pool;
  }

  /** The request's `UserPoolId` and `ClientId`, validated, and its client. */
  lookupClient(body: Json): ClientRecord {
    const pool = this.lookupPool(body);
    const clientId = requireString(body, 'ClientId', 'clientId', CLIENT_ID_RE, 128);
    const client = pool.clients.get(clientId);
    if (!client) {
      throw new AwsError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    }
    return client;
  }

  mustPool(id: string): PoolRecord {
    const pool = this.pools.get(id);
    if (!pool) throw new Error(`pool ${id} does not exist`);
    return pool;
  }

  mustClient(poolId: string, clientId: string): ClientRecord {
    const client = this.mustPool(poolId).clients.get(clientId);
    if (!client) throw new Error(`client ${clientId} does not exist in ${poolId}`);
    return client;
  }

  randomString(alphabet: string, length: number): string {
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
}
