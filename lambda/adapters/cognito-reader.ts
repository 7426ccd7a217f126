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
} from '@aws-sdk/client-cognito-identity-provider';
import type { WAFV2Client } from '@aws-sdk/client-wafv2';
import { forEachConcurrently } from '../concurrency.js';
import { clientReadApplies } from '../core/catalog.js';
import { type DigestKey, withDigestKey } from '../core/digest-key.js';
import { normalizeClient, normalizePool } from '../core/normalize.js';
import {
  type PartialPoolRead,
  type PoolReader,
  PoolReadInterrupted,
  type PoolReadResult,
  type PoolRef,
  type UnreadableClient,
} from '../core/ports.js';
import type { ClientSnapshot, SurfaceSnapshot } from '../core/types.js';
import { errorReason } from '../errors.js';
import { CLIENT_SECRETS_READ } from '../surfaces/app-client-reads.js';
import {
  IDENTITY_POOL_DESCRIBE,
  IDENTITY_POOLS,
  isIdentityPoolId,
  listIdentityPools,
  readIdentityPool,
} from '../surfaces/identity-pools.js';
import type { RateAdaptation } from './adaptive-rate.js';
import { CategoryBuckets } from './category-buckets.js';
import { isAccountScoped, QUOTAS, type QuotaCategory } from './quotas.js';
import { type Clock, systemClock } from './rate-limiter.js';
import { type ReaderStats, ReadPacing } from './read-pacing.js';
import { type ClientName, type SendingClient, SurfaceOperationError, SurfaceReads } from './surface-reads.js';

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
   * How many readers of this account's targets (its Regions) run alongside this one, as an
   * organization run lists them. Each account-scoped category (`scope: 'account'` in `quotas.ts`:
   * IAM, a global service) is the account's, shared by all of them, so this reader paces it at its
   * share divided by this. @default 1 (one Region of the account: a single-target deployment)
   */
  accountTargets?: number;
  /**
   * Answer account-level reads (which web ACL guards which pool) once per run from a listing of the
   * account, instead of one call per pool. @default true; false for a targeted check of a few pools
   */
  accountReads?: boolean;
  /** Client reads in flight at once within one pool. @default 3 */
  clientConcurrency?: number;
  clock?: Clock;
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
  /** The watched surfaces' reads, through the clients of their services. */
  private readonly reads: SurfaceReads;
  private readonly identityPools: boolean;
  private readonly pacing: ReadPacing;
  private readonly clientConcurrency: number;
  private readonly digestKey: DigestKey | undefined;

  constructor(options: CognitoReaderOptions) {
    const share = options.quotaShare;
    if (!(share > 0 && share <= 1)) throw new RangeError(`quotaShare must be in (0, 1], got ${share}`);
    const accountTargets = options.accountTargets ?? 1;
    if (!(Number.isInteger(accountTargets) && accountTargets >= 1))
      throw new RangeError(`accountTargets must be a whole number >= 1, got ${accountTargets}`);
    const quotas = { ...COGNITO_READ_QUOTAS, ...options.quotas };
    this.client = options.client;
    this.clientConcurrency = options.clientConcurrency ?? 3;
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
    // The account's targets read a global service's rate at once: each gets its part of the share.
    for (const category of Object.keys(rps) as QuotaCategory[])
      if (isAccountScoped(category)) rps[category] /= accountTargets;
    this.pacing = new ReadPacing(
      new CategoryBuckets(rps, { UserPoolClientRead: quotas.perPoolClientRead }, share),
      options.clock ?? systemClock,
    );
    this.stats = this.pacing.stats;
    this.poolConcurrency = 2 * Math.ceil(quotas.userPoolClientRead / quotas.perPoolClientRead) + 2;
    const clients: Record<ClientName, SendingClient | undefined> = {
      cognito: options.client as unknown as SendingClient,
      identity: options.identityClient as unknown as SendingClient | undefined,
      wafv2: options.wafClient as unknown as SendingClient | undefined,
      lambda: options.lambdaClient,
      iam: options.iamClient,
      kms: options.kmsClient,
    };
    const wanted = new Set(options.surfaces ?? []);
    this.reads = new SurfaceReads(clients, wanted, options.accountReads !== false, this.pacing);
    this.identityPools = wanted.has(IDENTITY_POOLS) && clients.identity !== undefined;
    for (const client of Object.values(clients)) if (client) this.pacing.attach(client);
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
    return [...this.reads.surfaces.map((s) => s.name), ...(this.identityPools ? [IDENTITY_POOLS] : [])];
  }

  /** Every identity pool in the account and region, when identity pools are watched; else none. */
  async listIdentityPools(): Promise<PoolRef[] | undefined> {
    if (!this.identityPools) return undefined;
    try {
      return await listIdentityPools(this.reads.send(undefined));
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
    this.reads.poolStarted(ref.poolId);
    // The account-level reads start with the first pool and run alongside the pools' own reads.
    this.reads.startAccountReads();
    try {
      if (isIdentityPoolId(ref.poolId)) {
        try {
          const pool = await readIdentityPool(ref, this.reads.send(signal));
          const unreadableSurfaces = await this.reads.readUnitSurfaces(pool, signal);
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
        this.reads.readSurfaces(ref.poolId, raw, listedClients, signal, resume, surfacesRead),
      ]);
      // Both have settled, so nothing of this pool still runs; each rejects only when aborted.
      if (clientReads.status === 'rejected') throw clientReads.reason;
      if (surfaceReads.status === 'rejected') throw surfaceReads.reason;
      const { unreadable: unreadableClients, gone } = clientReads.value;
      let unreadableSurfaces = surfaceReads.value;
      // A client deleted since the listing is no part of the pool: the surfaces are read again
      // without it, as if it had not been listed (a rare race, in which its per-client reads failed
      // or found what it left behind). Nothing read with it is kept, should this be interrupted.
      if (gone.size > 0 && this.reads.surfaces.length > 0) {
        for (const name of Object.keys(surfacesRead)) delete surfacesRead[name];
        const remaining = listedClients.filter((c) => !gone.has(c.clientId));
        unreadableSurfaces = await this.reads.readSurfaces(
          ref.poolId,
          raw,
          remaining,
          signal,
          undefined,
          surfacesRead,
        );
      }
      const pool = normalizePool(raw, clients);
      if (this.reads.surfaces.length > 0)
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
      this.reads.poolEnded(ref.poolId);
    }
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
    // A client without a secret has none to list, and never will (`CLIENT_SECRETS_READ`): not asked.
    if (clientReadApplies(CLIENT_SECRETS_READ, { ...client })) {
      try {
        const listed = await this.client.send(
          new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }),
          { abortSignal: signal },
        );
        secrets = listed.ClientSecrets ?? [];
      } catch (error) {
        if (signal?.aborted) throw error;
        // Any failure, not-found included (the client was just described), means the secrets are
        // unknown: unreadable, never "deleted".
        return { status: 'unreadable', reason: `ListUserPoolClientSecrets: ${errorReason(error)}` };
      }
    }
    return { status: 'ok', client: normalizeClient(client, secrets) };
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}
