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
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import { normalizeClient, normalizePool } from '../core/normalize.js';
import {
  type PartialPoolRead,
  type PoolReader,
  PoolReadInterrupted,
  type PoolReadResult,
  type PoolRef,
  type UnreadableClient,
} from '../core/ports.js';
import type { ClientSnapshot } from '../core/types.js';
import { errorReason } from '../errors.js';
import { type Clock, Pacer, systemClock, TokenBucket } from './rate-limiter.js';

/** Cognito's default read quotas, per account and region (requests per second). */
export const COGNITO_READ_QUOTAS = {
  /** ListUserPools, DescribeUserPool. */
  userPoolRead: 15,
  /** ListUserPoolClients, DescribeUserPoolClient, ListUserPoolClientSecrets. */
  userPoolClientRead: 15,
  /** Client reads within one pool. */
  perPoolClientRead: 5,
};

const POOL_READ_OPERATIONS = new Set(['ListUserPoolsCommand', 'DescribeUserPoolCommand']);
const PAGE_SIZE = 60;
const THROTTLE_PAUSE_MS = 1000;

export interface CognitoReaderOptions {
  client: CognitoIdentityProviderClient;
  /** The share of each quota this reader may use, 0 < share <= 1 (the account's own tooling needs the rest). */
  quotaShare: number;
  /** Override the quotas (for accounts with raised limits, or the benchmark's stand-in). */
  quotas?: Partial<typeof COGNITO_READ_QUOTAS>;
  /** Client reads in flight at once within one pool. @default 3 */
  clientConcurrency?: number;
  clock?: Clock;
}

/** Counters for the benchmark and the run log. */
export interface ReaderStats {
  requests: number;
  throttled: number;
}

/**
 * Reads every pool and app client, paced to the configured share of Cognito's read quotas.
 *
 * Pacing is a middleware on the client's stack that runs for every HTTP attempt, after the SDK's
 * retry middleware: retries are paced like first attempts and cannot stampede, and a throttling
 * response pushes the whole category's schedule back.
 */
export class CognitoReader implements PoolReader {
  readonly stats: ReaderStats = { requests: 0, throttled: 0 };
  /**
   * Pools the detector should read at once. Pacing sets the speed; concurrency only has to keep the
   * account's client-read schedule full. One pool can use at most its per-pool rate, so that takes
   * (account rate / per-pool rate) pools: twice that, so a pool waiting on its own bucket or on a
   * response always has a stand-in, plus two being started (DescribeUserPool, ListUserPoolClients).
   * 8 with the default quotas; more for an account with a raised account-level quota.
   */
  readonly poolConcurrency: number;
  private readonly client: CognitoIdentityProviderClient;
  private readonly poolBucket: TokenBucket;
  private readonly clientBucket: TokenBucket;
  private readonly perPoolRate: number;
  private readonly perPool = new Map<string, TokenBucket>();
  /** Pools being read: the order each started in (its pacing priority) and its abort signal. */
  private readonly reading = new Map<string, { priority: number; signal: AbortSignal | undefined }>();
  private poolsStarted = 0;
  private readonly pacer: Pacer;
  private readonly clock: Clock;
  private readonly clientConcurrency: number;

  constructor(options: CognitoReaderOptions) {
    const share = options.quotaShare;
    if (!(share > 0 && share <= 1)) throw new RangeError(`quotaShare must be in (0, 1], got ${share}`);
    const quotas = { ...COGNITO_READ_QUOTAS, ...options.quotas };
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
    this.pacer = new Pacer(this.clock);
    this.clientConcurrency = options.clientConcurrency ?? 3;
    this.poolBucket = new TokenBucket(quotas.userPoolRead * share);
    this.clientBucket = new TokenBucket(quotas.userPoolClientRead * share);
    this.perPoolRate = quotas.perPoolClientRead * share;
    this.poolConcurrency = 2 * Math.ceil(quotas.userPoolClientRead / quotas.perPoolClientRead) + 2;
    this.client.middlewareStack.addRelativeTo(
      (next: FinalizeHandler<object, MetadataBearer>, context: { commandName?: string }) =>
        (args: FinalizeHandlerArguments<object>) =>
          this.paced(next, args, context.commandName ?? ''),
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'cognitoDriftPacing', override: true },
    );
  }

  private async paced(
    next: FinalizeHandler<object, MetadataBearer>,
    args: FinalizeHandlerArguments<object>,
    command: string,
  ) {
    const poolId = (args.input as { UserPoolId?: string }).UserPoolId;
    const buckets = this.bucketsFor(command, poolId);
    // The pool that started first goes first: pools finish in order, so the scan's tail is short.
    const pool = poolId === undefined ? undefined : this.reading.get(poolId);
    await this.pacer.acquire(buckets, pool?.priority ?? 0, pool?.signal);
    this.stats.requests += 1;
    try {
      return await next(args);
    } catch (error) {
      if ((error as { name?: string }).name === 'TooManyRequestsException') {
        this.stats.throttled += 1;
        for (const bucket of buckets) bucket.penalize(this.clock.now(), THROTTLE_PAUSE_MS);
      }
      throw error;
    }
  }

  private bucketsFor(command: string, poolId: string | undefined): TokenBucket[] {
    if (POOL_READ_OPERATIONS.has(command)) return [this.poolBucket];
    if (!poolId) return [this.clientBucket];
    let bucket = this.perPool.get(poolId);
    if (!bucket) {
      bucket = new TokenBucket(this.perPoolRate);
      this.perPool.set(poolId, bucket);
    }
    return [this.clientBucket, bucket];
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
    const clients: ClientSnapshot[] = [];
    this.poolsStarted += 1;
    this.reading.set(ref.poolId, { priority: this.poolsStarted, signal });
    try {
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
      const unreadableClients: UnreadableClient[] = [];
      const queue = listed.filter((c) => !done.has(c.ClientId ?? ''));
      const worker = async () => {
        for (let entry = queue.shift(); entry; entry = queue.shift()) {
          signal?.throwIfAborted();
          const result = await this.readClient(ref.poolId, entry.ClientId ?? '', signal);
          if (result.status === 'ok') clients.push(result.client);
          else if (result.status === 'unreadable')
            unreadableClients.push({ clientId: entry.ClientId ?? '', reason: result.reason });
        }
      };
      await Promise.all(Array.from({ length: this.clientConcurrency }, worker));
      unreadableClients.sort((a, b) => a.clientId.localeCompare(b.clientId));
      return { status: 'ok', pool: normalizePool(described.UserPool, clients), unreadableClients };
    } catch (error) {
      if (signal?.aborted) throw clients.length > 0 ? new PoolReadInterrupted({ clients }) : error;
      // Not-found from any call but DescribeUserPool (ListUserPoolClients, say) is not a deletion.
      return { status: 'unreadable', reason: errorReason(error) };
    } finally {
      this.perPool.delete(ref.poolId);
      this.reading.delete(ref.poolId);
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
