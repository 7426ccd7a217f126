import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COGNITO_READ_QUOTAS, CognitoReader } from '../../../lambda/adapters/cognito-reader.js';
import type { PoolReadResult, PoolRef } from '../../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import { CognitoStandin } from '../../support/cognito-standin.js';

/**
 * The reader against the Cognito stand-in over the real wire protocol: the unmodified SDK client,
 * its retry middleware, the reader's pacing middleware, pagination tokens, error bodies, quotas.
 * Where rate is not the point, the quotas are scaled up so the tests stay fast.
 */

/** Quotas high enough that neither side paces or throttles noticeably. */
const FAST = { userPoolRead: 2_000, userPoolClientRead: 2_000, perPoolClientRead: 2_000 };
const PLANTED_SECRET = 'PLANTED_SECRET_VALUE_must_never_reach_a_snapshot_0001';

function sdkClient(standin: CognitoStandin): CognitoIdentityProviderClient {
  // The Lambda's setting: throttling is expected and retried by the SDK.
  return new CognitoIdentityProviderClient(standin.clientConfig({ maxAttempts: 8 }));
}

function snapshotOf(result: PoolReadResult): { pool: PoolSnapshot; unreadable: string[] } {
  if (result.status !== 'ok') throw new Error(`expected an ok read, got ${JSON.stringify(result)}`);
  return { pool: result.pool, unreadable: result.unreadableClients.map((c) => c.clientId) };
}

describe('CognitoReader over the wire', () => {
  let standin: CognitoStandin;
  let client: CognitoIdentityProviderClient;
  let reader: CognitoReader;
  let bigPool: string;
  let planted: string;
  let publicClient: string;

  beforeAll(async () => {
    standin = await CognitoStandin.start({
      latencyMs: 1,
      userPoolReadRps: FAST.userPoolRead,
      clientReadRps: FAST.userPoolClientRead,
      perPoolClientReadRps: FAST.perPoolClientRead,
    });
    standin.seed(62, 1);
    bigPool = standin.addPool({
      name: 'big-pool',
      clients: Array.from({ length: 63 }, (_, i) => ({ name: `client-${i}` })),
    });
    planted = standin.addClient(bigPool, {
      name: 'planted-confidential',
      secret: PLANTED_SECRET,
      secrets: [
        { createdAt: new Date('2025-01-01T00:00:00Z') },
        { createdAt: new Date('2025-02-01T00:00:00Z') },
      ],
    });
    publicClient = standin.addClient(bigPool, { name: 'planted-public' });
  });

  afterAll(async () => {
    await standin?.stop();
  });

  beforeEach(() => {
    standin.clearFaults();
    standin.resetStats();
    standin.resetQuotas();
    client?.destroy();
    client = sdkClient(standin);
    reader = new CognitoReader({ client, quotaShare: 1, quotas: FAST });
  });

  it('lists every pool past the 60-per-page limit, following NextToken', async () => {
    const pools = await reader.listPools();

    expect(pools.map((p) => p.poolId)).toEqual(standin.poolIds());
    expect(pools).toHaveLength(63);
    expect(standin.stats.calls.ListUserPools).toBe(2);
  });

  it('reads every client of a pool with more than 60, following NextToken', async () => {
    const { pool, unreadable } = snapshotOf(await reader.readPool({ poolId: bigPool, poolName: 'big-pool' }));

    expect(Object.keys(pool.clients).sort()).toEqual([...standin.clientIds(bigPool)].sort());
    expect(Object.keys(pool.clients)).toHaveLength(65);
    expect(unreadable).toEqual([]);
    expect(standin.stats.calls.ListUserPoolClients).toBe(2);
  });

  it('keeps the id and creation date of each client secret and never its value', async () => {
    const { pool } = snapshotOf(await reader.readPool({ poolId: bigPool, poolName: 'big-pool' }));

    // Of the 65 clients only the planted one has a secret: the others' secrets are not asked for.
    expect(standin.stats.calls.DescribeUserPoolClient).toBe(65);
    expect(standin.stats.calls.ListUserPoolClientSecrets).toBe(1);
    expect(standin.requests.filter((r) => r.operation === 'ListUserPoolClientSecrets')).toEqual([
      expect.objectContaining({ clientId: planted }),
    ]);
    expect(pool.clients[planted]?.secrets).toEqual({
      [`${planted}--1735689600000`]: { createdAt: '2025-01-01T00:00:00.000Z' },
      [`${planted}--1738368000000`]: { createdAt: '2025-02-01T00:00:00.000Z' },
    });
    expect(pool.clients[publicClient]?.secrets).toEqual({});
    expect(JSON.stringify(pool)).not.toContain(PLANTED_SECRET);
    expect(pool.clients[planted]?.config).not.toHaveProperty('ClientSecret');
  });

  it('reports a pool deleted after the listing as gone', async () => {
    const poolId = standin.addPool({ name: 'deleted-mid-scan', clients: [{ name: 'c' }] });
    standin.removePool(poolId);

    expect(await reader.readPool({ poolId, poolName: 'deleted-mid-scan' })).toEqual({ status: 'gone' });
  });

  it('reports a pool it may not describe as unreadable, naming the error code', async () => {
    const [ref] = await reader.listPools();
    standin.failAlways({
      operation: 'DescribeUserPool',
      poolId: ref?.poolId,
      error: 'AccessDeniedException',
    });

    const result = await reader.readPool(ref as PoolRef);

    expect(result.status).toBe('unreadable');
    expect(result.status === 'unreadable' && result.reason).toMatch(/^AccessDeniedException \(HTTP 400\)/);
  });

  it('reads the rest of the pool when one client fails, listing that client as unreadable', async () => {
    const [broken] = standin.clientIds(bigPool);
    // Secrets are listed only for a client with one.
    const alsoBroken = planted;
    standin.failAlways({
      operation: 'DescribeUserPoolClient',
      clientId: broken,
      error: 'AccessDeniedException',
    });
    standin.failAlways({
      operation: 'ListUserPoolClientSecrets',
      clientId: alsoBroken,
      error: 'NotAuthorizedException',
    });

    const result = await reader.readPool({ poolId: bigPool, poolName: 'big-pool' });

    const { pool } = snapshotOf(result);
    expect(Object.keys(pool.clients)).toHaveLength(63);
    expect(pool.clients).not.toHaveProperty(broken as string);
    expect(result.status === 'ok' && result.unreadableClients).toEqual(
      [
        { clientId: broken, reason: expect.stringMatching(/^AccessDeniedException/) },
        { clientId: alsoBroken, reason: expect.stringMatching(/NotAuthorizedException/) },
      ].sort((a, b) => String(a.clientId).localeCompare(String(b.clientId))),
    );
  });

  it('leaves out a client deleted while the pool is read, without calling it unreadable', async () => {
    const [deleted] = standin.clientIds(bigPool);
    standin.failNext({
      operation: 'DescribeUserPoolClient',
      clientId: deleted,
      error: 'ResourceNotFoundException',
    });

    const { pool, unreadable } = snapshotOf(await reader.readPool({ poolId: bigPool, poolName: 'big-pool' }));

    expect(pool.clients).not.toHaveProperty(deleted as string);
    expect(Object.keys(pool.clients)).toHaveLength(64);
    expect(unreadable).toEqual([]);
  });
});

describe('CognitoReader pacing against Cognito-style quotas', () => {
  let standin: CognitoStandin;
  let client: CognitoIdentityProviderClient;

  beforeAll(async () => {
    standin = await CognitoStandin.start({ latencyMs: 5, burstSeconds: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await standin?.stop();
  });

  beforeEach(() => {
    for (const id of standin.poolIds()) standin.removePool(id);
    standin.clearFaults();
    client?.destroy();
    client = sdkClient(standin);
  });

  it('rides out throttling when the account allows less than it was told: the SDK retries, nothing is lost', async () => {
    // Arrange: the reader believes in 10× the quotas the "account" grants.
    standin.configure({ userPoolReadRps: 10, clientReadRps: 8, perPoolClientReadRps: 8 });
    const [poolId] = standin.seed(1, 8);
    standin.resetStats();
    const reader = new CognitoReader({
      client,
      quotaShare: 1,
      quotas: { userPoolRead: 100, userPoolClientRead: 80, perPoolClientRead: 80 },
    });

    // Act
    const result = await reader.readPool({ poolId: poolId as string, poolName: 'p' });

    // Assert: throttled on the wire, every throttle seen (and paced) by the reader, nothing unreadable.
    const { pool, unreadable } = snapshotOf(result);
    expect(standin.stats.throttled).toBeGreaterThan(0);
    expect(reader.stats.throttled).toBe(standin.stats.throttled);
    // Each throttle counted under its quota category (the `Throttles` metric's dimension).
    const byCategory = reader.stats.throttledByCategory;
    expect(Object.values(byCategory).reduce((n, c) => n + (c ?? 0), 0)).toBe(reader.stats.throttled);
    expect(Object.keys(byCategory).every((c) => ['UserPoolRead', 'UserPoolClientRead'].includes(c))).toBe(
      true,
    );
    // Each throttled category slowed for the rest of the run, and says to what.
    const adapted = reader.rateAdaptations();
    expect(Object.keys(adapted).sort()).toEqual(Object.keys(byCategory).sort());
    for (const [category, count] of Object.entries(byCategory)) {
      const adaptation = adapted[category as keyof typeof adapted];
      expect(adaptation?.throttles).toBe(count);
      expect(adaptation?.heldRps).toBeLessThan(adaptation?.configuredRps ?? 0);
    }
    expect(unreadable).toEqual([]);
    expect(Object.keys(pool.clients)).toHaveLength(8);
  });

  it('stays within each quota over the wire and is never throttled', async () => {
    // Arrange: Cognito's quota ratios (15 : 15 : 5) scaled ×4 so the test takes ~2 s, at share 0.5.
    const scale = 4;
    const share = 0.5;
    const quotas = {
      userPoolRead: COGNITO_READ_QUOTAS.userPoolRead * scale,
      userPoolClientRead: COGNITO_READ_QUOTAS.userPoolClientRead * scale,
      perPoolClientRead: COGNITO_READ_QUOTAS.perPoolClientRead * scale,
    };
    standin.configure({
      userPoolReadRps: quotas.userPoolRead,
      clientReadRps: quotas.userPoolClientRead,
      perPoolClientReadRps: quotas.perPoolClientRead,
    });
    standin.seed(6, 3);
    standin.resetStats();
    const reader = new CognitoReader({ client, quotaShare: share, quotas });

    // Act: every pool at once, harder than the detector's pool concurrency.
    const refs = await reader.listPools();
    const results = await Promise.all(refs.map((ref) => reader.readPool(ref)));

    // Assert
    const stats = standin.stats;
    expect(results.every((r) => r.status === 'ok' && r.unreadableClients.length === 0)).toBe(true);
    expect(stats.throttled).toBe(0);
    expect(reader.stats.throttled).toBe(0);
    // Arrival times at the server: requests the reader spaced out can arrive bunched when the event
    // loop is busy (a shared machine), so the window seen here is held to the quota itself. That the
    // reader keeps to its share (no slots booked ahead, the rate kept when timers fire late) is shown
    // on a manual clock in pacer.test.ts and rate-limiter.test.ts, where no scheduling jitter can
    // make it pass or fail.
    expect(stats.byCategory.UserPoolClientRead.peakRate).toBeLessThanOrEqual(quotas.userPoolClientRead);
    expect(stats.byCategory.UserPoolRead.peakRate).toBeLessThanOrEqual(quotas.userPoolRead);
    // Cognito limits each operation on one pool (not the category): its per-pool buckets are per operation.
    expect(stats.peakPerPoolOperationRate).toBeLessThanOrEqual(quotas.perPoolClientRead);
  });
});
