import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import {
  type ClientSecretDescriptorType,
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientSecretsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  type UserPoolClientDescription,
  type UserPoolClientType,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { WAFV2Client } from '@aws-sdk/client-wafv2';
import { forEachConcurrently } from '../concurrency.js';
import { type AccountRead, type CatalogService, kindApplies, type SendOperation } from '../core/catalog.js';
import { type DigestKey, withDigestKey } from '../core/digest-key.js';
import { normalizeClient, normalizePool } from '../core/normalize.js';
import {
  type PartialPoolRead,
  type PoolReader,
  PoolReadInterrupted,
  type PoolReadResult,
  type PoolRef,
  type UnreadableClient,
  type UnreadableSurface,
} from '../core/ports.js';
import type { ClientSnapshot, PoolSnapshot, SurfaceSnapshot } from '../core/types.js';
import { errorReason } from '../errors.js';
import {
  IDENTITY_POOL_DESCRIBE,
  IDENTITY_POOLS,
  isIdentityPoolId,
  listIdentityPools,
  readIdentityPool,
} from '../surfaces/identity-pools.js';
import { POOL_SURFACES } from '../surfaces/index.js';
import type { Surface } from '../surfaces/surface.js';
import type { RateAdaptation } from './adaptive-rate.js';
import { CategoryBuckets } from './category-buckets.js';
import { QUOTAS, type QuotaCategory } from './quotas.js';
import { type Clock, systemClock } from './rate-limiter.js';
import { type PacedClient, type ReaderStats, ReadPacing } from './read-pacing.js';

export type { ReaderStats };

/**
 * Cognito's default read quotas for pools and clients, per account and region (requests per second),
 * as in `quotas.ts`. Kept as a shorthand for the options of tests and the benchmark.
 */
export const COGNITO_READ_QUOTAS = {
  /** ListUserPools, DescribeUserPool (and the other UserPoolRead operations). */
  userPoolRead: QUOTAS.UserPoolRead.rps,
  /** ListUserPoolClients, DescribeUserPoolClient, ListUserPoolClientSecrets. */
  userPoolClientRead: QUOTAS.UserPoolClientRead.rps,
  /** Client reads within one pool. */
  perPoolClientRead: QUOTAS.UserPoolClientRead.perPoolPerOperationRps ?? 5,
};

const PAGE_SIZE = 60;

/**
 * Which client sends each catalog service's operations. The command itself comes with the
 * operation (the surface declares it): the reader keeps no table of operations.
 */
const CLIENT_OF: Readonly<Record<CatalogService, ClientName>> = {
  'cognito-idp': 'cognito',
  'cognito-identity': 'identity',
  wafv2: 'wafv2',
  lambda: 'lambda',
  iam: 'iam',
  kms: 'kms',
};

type ClientName = 'cognito' | 'identity' | 'wafv2' | 'lambda' | 'iam' | 'kms';

/** A client the reader can send through: every SDK client fits. */
interface SendingClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  middlewareStack: PacedClient['middlewareStack'];
}

export interface CognitoReaderOptions {
  client: CognitoIdentityProviderClient;
  /** For identity pools; without it, identity pools are not read. */
  identityClient?: CognitoIdentityClient;
  /** For the web ACL surface; without it, that surface is not read. */
  wafClient?: WAFV2Client;
  /** For the Lambda triggers the pools run; without it, they are not read. */
  lambdaClient?: SendingClient;
  /** For the IAM roles pools and identity pools reference; without it, they are not read. */
  iamClient?: SendingClient;
  /** For the KMS keys of the custom senders; without it, they are not read. */
  kmsClient?: SendingClient;
  /**
   * The surfaces to read besides pools and clients (`mfa`, `identityProviders`, ..., and
   * `identityPools`). @default none: only pools and app clients
   */
  surfaces?: readonly string[];
  /**
   * The key of the digests of secrets and large values (`core/digest-key.ts`). Without it, a surface
   * holding such a value (an IdP's client secret, the hosted UI's CSS) is reported unreadable with a
   * DigestKeyError rather than digested weakly.
   */
  digestKey?: DigestKey;
  /** The share of each quota this reader may use, 0 < share <= 1 (the account's own tooling needs the rest). */
  quotaShare: number;
  /** Override the pool and client quotas (for accounts with raised limits, or the benchmark's stand-in). */
  quotas?: Partial<typeof COGNITO_READ_QUOTAS>;
  /** Override any category's account-level rate (requests per second), for raised limits or tests. */
  categoryRps?: Partial<Record<QuotaCategory, number>>;
  /**
   * Answer account-level reads (which web ACL guards which pool) once per run from a listing of the
   * account, instead of one call per pool. @default true; false for a targeted check of a few pools
   */
  accountReads?: boolean;
  /** Client reads in flight at once within one pool. @default 3 */
  clientConcurrency?: number;
  clock?: Clock;
}

/** A surface read that failed, with the operation that failed (for "scan incomplete: <operation> on <pool>"). */
class SurfaceOperationError extends Error {
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`${operation} failed`);
    this.name = 'SurfaceOperationError';
  }
}

/**
 * Reads every pool, app client and watched surface, paced to the configured share of each quota
 * category (`quotas.ts`).
 *
 * Pacing is a middleware on each client's stack that runs for every HTTP attempt, after the SDK's
 * retry middleware: retries are paced like first attempts and cannot stampede, and a throttling
 * response pushes the whole category's schedule back.
 */
export class CognitoReader implements PoolReader {
  readonly stats: ReaderStats;
  /**
   * Pools the detector should read at once. Pacing sets the speed; concurrency only has to keep the
   * account's client-read schedule full. One operation on one pool can use at most its per-pool
   * rate, so that takes (account rate / per-pool rate) pools: twice that, so a pool waiting on its
   * own bucket or on a response always has a stand-in, plus two being started (DescribeUserPool,
   * ListUserPoolClients).
   * 8 with the default quotas; more for an account with a raised account-level quota.
   */
  readonly poolConcurrency: number;
  private readonly client: CognitoIdentityProviderClient;
  private readonly clients: Record<ClientName, SendingClient | undefined>;
  private readonly surfaces: readonly Surface[];
  private readonly identityPools: boolean;
  /** Whether account-level reads (web ACL associations) are answered from one listing per run. */
  private readonly accountReads: boolean;
  /**
   * This reader's answers to account-level and shared reads, by the read's name: a reader serves
   * one target for one invocation, so each is read once per run (per invocation of a long run) and
   * shared by its pools.
   */
  private readonly sharedAnswers = new Map<string, Promise<unknown>>();
  /**
   * The shared answers about one pool (`AccountRead.poolId`), by pool, for the pools being read:
   * dropped when the pool's read ends, so that what a run holds does not grow with the pools read.
   */
  private readonly poolAnswers = new Map<string, Map<string, Promise<unknown>>>();
  private readonly pacing: ReadPacing;
  private readonly clientConcurrency: number;
  private readonly digestKey: DigestKey | undefined;

  constructor(options: CognitoReaderOptions) {
    const share = options.quotaShare;
    if (!(share > 0 && share <= 1)) throw new RangeError(`quotaShare must be in (0, 1], got ${share}`);
    const quotas = { ...COGNITO_READ_QUOTAS, ...options.quotas };
    this.client = options.client;
    this.clientConcurrency = options.clientConcurrency ?? 3;
    this.accountReads = options.accountReads !== false;
    this.digestKey = options.digestKey;
    const rps: Record<QuotaCategory, number> = {
      ...(Object.fromEntries(Object.entries(QUOTAS).map(([c, q]) => [c, q.rps])) as Record<
        QuotaCategory,
        number
      >),
      UserPoolRead: quotas.userPoolRead,
      UserPoolClientRead: quotas.userPoolClientRead,
      ...options.categoryRps,
    };
    this.pacing = new ReadPacing(
      new CategoryBuckets(rps, { UserPoolClientRead: quotas.perPoolClientRead }, share),
      options.clock ?? systemClock,
    );
    this.stats = this.pacing.stats;
    this.poolConcurrency = 2 * Math.ceil(quotas.userPoolClientRead / quotas.perPoolClientRead) + 2;
    this.clients = {
      cognito: options.client as unknown as SendingClient,
      identity: options.identityClient as unknown as SendingClient | undefined,
      wafv2: options.wafClient as unknown as SendingClient | undefined,
      lambda: options.lambdaClient,
      iam: options.iamClient,
      kms: options.kmsClient,
    };
    const wanted = new Set(options.surfaces ?? []);
    this.surfaces = POOL_SURFACES.filter(
      (s) => wanted.has(s.name) && s.operations.every((op) => this.clients[CLIENT_OF[op.service]]),
    );
    this.identityPools = wanted.has(IDENTITY_POOLS) && this.clients.identity !== undefined;
    for (const client of Object.values(this.clients)) if (client) this.pacing.attach(client);
  }

  /**
   * The categories the account throttled in this run, with the rate each was slowed to and held:
   * for the run log (one line per category) beside the `Throttles` metric.
   */
  rateAdaptations(): Partial<Record<QuotaCategory, RateAdaptation>> {
    return this.pacing.adaptations();
  }

  /** The surfaces this reader reads (requested, and with the client they need). */
  get surfaceNames(): string[] {
    return [...this.surfaces.map((s) => s.name), ...(this.identityPools ? [IDENTITY_POOLS] : [])];
  }

  /** Sends one surface operation through its client (and so through the pacing middleware). */
  private send(signal: AbortSignal | undefined): SendOperation {
    return async (operation, input) => {
      const client = this.clients[CLIENT_OF[operation.service]];
      if (!client) throw new Error(`no ${operation.service} client for ${operation.name}`);
      try {
        return (await client.send(new operation.command(input), { abortSignal: signal })) as never;
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new SurfaceOperationError(operation.name, error);
      }
    };
  }

  /**
   * An account-level read, made on first use and then shared: a failure is shared too, so every pool
   * that needs it reports its surface unreadable (never "nothing there"). Sent without a pool's abort
   * signal, since the answer outlives the pool that asked first.
   */
  private sharedRead<T>(read: AccountRead<T>): Promise<T> {
    const answers = read.poolId === undefined ? this.sharedAnswers : this.poolAnswers.get(read.poolId);
    // About a pool that is not being read (nothing would drop it): read, not kept.
    if (!answers) return read.read(this.send(undefined));
    let answer = answers.get(read.name);
    if (!answer) {
      answer = read.read(this.send(undefined));
      // Observed here so a failure read ahead of any pool is no unhandled rejection; each pool
      // that awaits it still gets the error.
      answer.catch(() => undefined);
      answers.set(read.name, answer);
    }
    return answer as Promise<T>;
  }

  /** Every identity pool in the account and region, when identity pools are watched; else none. */
  async listIdentityPools(): Promise<PoolRef[] | undefined> {
    if (!this.identityPools) return undefined;
    try {
      return await listIdentityPools(this.send(undefined));
    } catch (error) {
      throw error instanceof SurfaceOperationError ? error.cause : error;
    }
  }

  async listPools(): Promise<PoolRef[]> {
    const pools: PoolRef[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListUserPoolsCommand({ MaxResults: PAGE_SIZE, NextToken: token }),
      );
      for (const pool of page.UserPools ?? []) {
        if (pool.Id) pools.push({ poolId: pool.Id, poolName: pool.Name ?? '' });
      }
      token = page.NextToken;
    } while (token);
    return pools;
  }

  async readPool(ref: PoolRef, signal?: AbortSignal, resume?: PartialPoolRead): Promise<PoolReadResult> {
    // Every digest made while reading this pool is keyed with the reader's key.
    return withDigestKey(this.digestKey, () => this.readPoolKeyed(ref, signal, resume));
  }

  private async readPoolKeyed(
    ref: PoolRef,
    signal: AbortSignal | undefined,
    resume: PartialPoolRead | undefined,
  ): Promise<PoolReadResult> {
    const clients: ClientSnapshot[] = [];
    // Surfaces whose read completed (in this invocation or, from `resume`, an earlier one).
    const surfacesRead: Record<string, SurfaceSnapshot> = {};
    this.pacing.poolStarted(ref.poolId, signal);
    this.poolAnswers.set(ref.poolId, new Map());
    // The account-level reads start with the first pool and run alongside the pools' own reads.
    if (this.accountReads)
      for (const surface of this.surfaces)
        for (const read of surface.accountReads ?? []) this.sharedRead(read);
    try {
      if (isIdentityPoolId(ref.poolId)) {
        try {
          const pool = await readIdentityPool(ref, this.send(signal));
          const unreadableSurfaces = await this.readUnitSurfaces(pool, signal);
          return { status: 'ok', pool, unreadableClients: [], unreadableSurfaces };
        } catch (error) {
          // Only the identity pool's own describe answering not-found means it is gone.
          const describeGone =
            error instanceof SurfaceOperationError &&
            error.operation === IDENTITY_POOL_DESCRIBE &&
            errorName(error.cause) === 'ResourceNotFoundException';
          if (!signal?.aborted && describeGone) return { status: 'gone' };
          throw error;
        }
      }
      let described: Awaited<ReturnType<typeof this.describePool>>;
      try {
        described = await this.describePool(ref.poolId, signal);
      } catch (error) {
        // Only DescribeUserPool's own not-found means the pool is gone.
        if (!signal?.aborted && errorName(error) === 'ResourceNotFoundException') return { status: 'gone' };
        throw error;
      }
      if (!described.UserPool)
        return { status: 'unreadable', reason: 'DescribeUserPool returned no UserPool' };
      const listed = await this.listClients(ref.poolId, signal);
      // Clients read by an earlier invocation count as read, if they are still listed.
      const stillListed = new Set(listed.map((c) => c.ClientId));
      const done = new Set<string>();
      for (const client of resume?.clients ?? []) {
        if (!stillListed.has(client.clientId)) continue;
        clients.push(client);
        done.add(client.clientId);
      }
      // The surfaces are read alongside the clients, for the clients listed: the two are paced by
      // different quota categories, so neither waits for the other, and a pool's resource reads
      // (the busiest category of a full-surface scan) no longer trail its clients at the end.
      const listedClients = listed.map((c) => ({
        clientId: c.ClientId ?? '',
        clientName: c.ClientName ?? '',
      }));
      const raw = described.UserPool;
      const [clientReads, surfaceReads] = await Promise.allSettled([
        this.readClients(
          ref.poolId,
          listed.filter((c) => !done.has(c.ClientId ?? '')),
          clients,
          signal,
        ),
        this.readSurfaces(ref.poolId, raw, listedClients, signal, resume, surfacesRead),
      ]);
      // Both have settled, so nothing of this pool still runs; each rejects only when aborted.
      if (clientReads.status === 'rejected') throw clientReads.reason;
      if (surfaceReads.status === 'rejected') throw surfaceReads.reason;
      const { unreadable: unreadableClients, gone } = clientReads.value;
      let unreadableSurfaces = surfaceReads.value;
      // A client deleted since the listing is no part of the pool: the surfaces are read again
      // without it, as if it had not been listed (a rare race, in which its per-client reads failed
      // or found what it left behind). Nothing read with it is kept, should this be interrupted.
      if (gone.size > 0 && this.surfaces.length > 0) {
        for (const name of Object.keys(surfacesRead)) delete surfacesRead[name];
        const remaining = listedClients.filter((c) => !gone.has(c.clientId));
        unreadableSurfaces = await this.readSurfaces(
          ref.poolId,
          raw,
          remaining,
          signal,
          undefined,
          surfacesRead,
        );
      }
      const pool = normalizePool(raw, clients);
      if (this.surfaces.length > 0)
        pool.surfaces = Object.fromEntries(
          Object.entries(surfacesRead).sort(([a], [b]) => a.localeCompare(b)),
        );
      return { status: 'ok', pool, unreadableClients, unreadableSurfaces };
    } catch (error) {
      const kept = Object.keys(surfacesRead).length > 0 ? { surfaces: surfacesRead } : undefined;
      if (signal?.aborted)
        throw clients.length > 0 || kept ? new PoolReadInterrupted({ clients, ...kept }) : error;
      // Not-found from any call but DescribeUserPool (ListUserPoolClients, say) is not a deletion.
      const cause = error instanceof SurfaceOperationError ? error.cause : error;
      return { status: 'unreadable', reason: errorReason(cause) };
    } finally {
      this.pacing.poolEnded(ref.poolId);
      this.poolAnswers.delete(ref.poolId);
    }
  }

  /**
   * Reads each watched surface of the pool into `read`. A surface whose read fails is left out (the
   * detector keeps its baseline) and reported with the operation that failed; the others still count.
   * A watched surface in `resume` was read by an earlier invocation of the run and is not read
   * again; each read completes into `read`, so an interruption keeps it.
   */
  private async readSurfaces(
    poolId: string,
    raw: UserPoolType,
    clients: readonly { clientId: string; clientName: string }[],
    signal: AbortSignal | undefined,
    resume: PartialPoolRead | undefined,
    read: Record<string, SurfaceSnapshot>,
  ): Promise<UnreadableSurface[]> {
    if (this.surfaces.length === 0) return [];
    this.pacing.domainsOf(poolId, [raw.Domain, raw.CustomDomain]);
    const ctx = {
      poolId,
      pool: raw,
      clients,
      send: this.send(signal),
      sharedRead: <T>(read: AccountRead<T>) => this.sharedRead(read),
      ...(this.accountReads ? { accountRead: <T>(read: AccountRead<T>) => this.sharedRead(read) } : {}),
    };
    const unreadable: UnreadableSurface[] = [];
    const pending = this.surfaces.filter((surface) => {
      // A kind without effect in this pool (`readOnlyWhen`) is not read: it holds nothing here.
      const earlier = resume?.surfaces?.[surface.name] ?? (kindApplies(surface, { ...raw }) ? undefined : {});
      if (earlier) read[surface.name] = earlier;
      return !earlier;
    });
    await forEachConcurrently(pending, pending.length, async (surface) => {
      try {
        read[surface.name] = await surface.read(ctx);
      } catch (error) {
        if (signal?.aborted) throw error;
        delete read[surface.name];
        // Anything but the operation's own failure (a bug in a surface's read) is reported as such.
        const operation = error instanceof SurfaceOperationError ? error.operation : surface.name;
        const cause = error instanceof SurfaceOperationError ? error.cause : error;
        unreadable.push({ surface: surface.name, operation, reason: errorReason(cause) });
      }
    });
    return unreadable.sort((a, b) => a.surface.localeCompare(b.surface));
  }

  /**
   * Reads the surfaces that follow an identity pool's references (its IAM roles) into
   * `pool.surfaces`; a surface whose read fails is reported, as for a user pool.
   */
  private async readUnitSurfaces(pool: PoolSnapshot, signal: AbortSignal | undefined) {
    const unreadable: UnreadableSurface[] = [];
    const ctx = {
      poolId: pool.poolId,
      config: pool.config,
      send: this.send(signal),
      sharedRead: <T>(read: AccountRead<T>) => this.sharedRead(read),
    };
    for (const surface of this.surfaces) {
      if (!surface.readUnit) continue;
      try {
        pool.surfaces = { ...pool.surfaces, [surface.name]: await surface.readUnit(ctx) };
      } catch (error) {
        if (signal?.aborted) throw error;
        const operation = error instanceof SurfaceOperationError ? error.operation : surface.name;
        const cause = error instanceof SurfaceOperationError ? error.cause : error;
        unreadable.push({ surface: surface.name, operation, reason: errorReason(cause) });
      }
    }
    return unreadable;
  }

  private describePool(poolId: string, signal?: AbortSignal) {
    return this.client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }), { abortSignal: signal });
  }

  private async listClients(poolId: string, signal?: AbortSignal): Promise<UserPoolClientDescription[]> {
    const clients: UserPoolClientDescription[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: PAGE_SIZE, NextToken: token }),
        { abortSignal: signal },
      );
      clients.push(...(page.UserPoolClients ?? []).filter((c) => c.ClientId));
      token = page.NextToken;
    } while (token);
    return clients;
  }

  /**
   * Reads `entries` (listed clients not read yet) into `into`, a few at a time. Returns the clients
   * that could not be read and those deleted since the listing; rejects only when `signal` aborts.
   */
  private async readClients(
    poolId: string,
    entries: readonly UserPoolClientDescription[],
    into: ClientSnapshot[],
    signal: AbortSignal | undefined,
  ): Promise<{ unreadable: UnreadableClient[]; gone: Set<string> }> {
    const unreadable: UnreadableClient[] = [];
    const gone = new Set<string>();
    await forEachConcurrently(entries, this.clientConcurrency, async (entry) => {
      signal?.throwIfAborted();
      const clientId = entry.ClientId ?? '';
      const result = await this.readClient(poolId, clientId, signal);
      if (result.status === 'ok') into.push(result.client);
      else if (result.status === 'gone') gone.add(clientId);
      else unreadable.push({ clientId, reason: result.reason });
    });
    return { unreadable: unreadable.sort((a, b) => a.clientId.localeCompare(b.clientId)), gone };
  }

  private async readClient(
    poolId: string,
    clientId: string,
    signal?: AbortSignal,
  ): Promise<
    { status: 'ok'; client: ClientSnapshot } | { status: 'gone' } | { status: 'unreadable'; reason: string }
  > {
    let client: UserPoolClientType | undefined;
    try {
      const described = await this.client.send(
        new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
        { abortSignal: signal },
      );
      client = described.UserPoolClient;
    } catch (error) {
      if (signal?.aborted) throw error;
      // Only DescribeUserPoolClient's own not-found means the client is gone.
      if (errorName(error) === 'ResourceNotFoundException') return { status: 'gone' };
      return { status: 'unreadable', reason: errorReason(error) };
    }
    if (!client) return { status: 'unreadable', reason: 'DescribeUserPoolClient returned no UserPoolClient' };
    let secrets: ClientSecretDescriptorType[] = [];
    try {
      const listed = await this.client.send(
        new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }),
        { abortSignal: signal },
      );
      secrets = listed.ClientSecrets ?? [];
    } catch (error) {
      if (signal?.aborted) throw error;
      // A public client (no secret) has no secrets to list. Anything else, not-found included (the
      // client was just described), means the secrets are unknown: unreadable, never "deleted".
      if (!(errorName(error) === 'InvalidParameterException' && client.ClientSecret === undefined))
        return { status: 'unreadable', reason: `ListUserPoolClientSecrets: ${errorReason(error)}` };
    }
    return { status: 'ok', client: normalizeClient(client, secrets) };
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}
