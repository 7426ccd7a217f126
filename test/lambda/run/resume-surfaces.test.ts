import {
  DescribeIdentityProviderCommand,
  GetUserPoolMfaConfigCommand,
  ListGroupsCommand,
  ListIdentityProvidersCommand,
  ListResourceServersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keys, runDocSchema } from '../../../lambda/core/documents.js';
import { DetectorHarness, FakeAccount, type FakePool } from '../../support/fake-aws.js';

/**
 * Surface reads resume part-way like client reads (issue 17, item 11): a surface whose read completed
 * in an invocation the time limit cut off is kept, normalized, in the run's partial and not read again,
 * and counts as progress towards the too-large bound.
 */

const CANARY = 'CANARY-IDP-SECRET-IN-PARTIAL-4d2c1b';
const SURFACES = ['mfa', 'identityProviders', 'groups', 'resourceServers'];

type Hold = Parameters<FakeAccount['beforeCall']>[0];

describe('surface reads cut off by the time limit', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;

  beforeEach(async () => {
    aws = new FakeAccount();
    pool = aws.addPool({
      name: 'big',
      identityProviders: [
        {
          name: 'Okta',
          type: 'OIDC',
          details: {
            client_id: 'okta',
            client_secret: CANARY,
            oidc_issuer: 'https://okta.example.com',
            authorize_scopes: 'openid',
            attributes_request_method: 'GET',
          },
        },
      ],
      groups: [{ name: 'admins' }],
      resourceServers: [{ identifier: 'https://api.example.com', name: 'api' }],
    });
    harness = new DetectorHarness(aws, { poolConcurrency: 1 }, SURFACES);
    await harness.run();
    harness.period = 60_000;
    aws.cognito.resetHistory();
    // Only the invocation's time-limit timer is faked: the test fires it, no wall clock involved.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });

  afterEach(() => {
    vi.useRealTimers();
    aws.restore();
  });

  /**
   * The next `operation` call ends the invocation: once every other read in flight has answered, the
   * time limit fires and the call is cut off.
   */
  function cutOffAt(operation: Hold): void {
    aws.beforeCall(operation, { poolId: pool.poolId }, async () => {
      for (let i = 0; i < 50; i += 1) await new Promise((resolve) => setImmediate(resolve));
      vi.runOnlyPendingTimers();
      throw new Error('cut off by the time limit');
    });
  }

  /** One invocation with a time limit (fired by {@link cutOffAt}), resuming `runId`. */
  function invoke(runId?: string) {
    return harness.run({
      remainingTimeMs: () => 600_000,
      safetyMarginMs: 0,
      mode: { kind: 'sweep', alerts: 'delivered', ...(runId ? { runId } : {}) },
    });
  }

  const calls = () => ({
    mfa: aws.cognito.commandCalls(GetUserPoolMfaConfigCommand).length,
    listIdps: aws.cognito.commandCalls(ListIdentityProvidersCommand).length,
    describeIdps: aws.cognito.commandCalls(DescribeIdentityProviderCommand).length,
    groups: aws.cognito.commandCalls(ListGroupsCommand).length,
    resourceServers: aws.cognito.commandCalls(ListResourceServersCommand).length,
  });

  const runDocument = () => runDocSchema.parse(aws.bucket.readJson(keys.run));

  it('finish in 3 invocations when they take 2.5, reading each completed surface once', async () => {
    // Invocation 1: MFA and the IdPs complete, groups and resource servers are cut off.
    cutOffAt('ListGroups');
    cutOffAt('ListResourceServers');
    const first = await invoke();
    expect(first.done).toBe(false);
    const partial = runDocument().partials?.[pool.poolId];
    expect(Object.keys(partial?.surfaces ?? {}).sort()).toEqual(['identityProviders', 'mfa']);
    expect(partial?.surfaces?.identityProviders?.Okta).toBeDefined();
    expect(runDocument().interrupted?.[pool.poolId]).toBe(0);

    // Invocation 2: groups complete, resource servers are cut off again.
    cutOffAt('ListResourceServers');
    const second = await invoke(first.runId);
    expect(second.done).toBe(false);
    expect(Object.keys(runDocument().partials?.[pool.poolId]?.surfaces ?? {}).sort()).toEqual([
      'groups',
      'identityProviders',
      'mfa',
    ]);

    // Invocation 3: the rest fits.
    const third = await invoke(first.runId);
    expect(third).toMatchObject({ runId: first.runId, done: true });
    expect(third.pools.find((p) => p.poolId === pool.poolId)?.outcome).toBe('scanned');
    // A completed surface is read once; a cut-off one once more per invocation it was cut off in.
    expect(calls()).toEqual({ mfa: 1, listIdps: 1, describeIdps: 1, groups: 2, resourceServers: 3 });
    expect(runDocument().partials?.[pool.poolId]).toBeUndefined();
    // Nothing resumed is mistaken for drift, nor reported unreadable.
    expect(third.sent.map((m) => m.MessageAttributes?.kind?.StringValue)).toEqual([]);
  });

  it('keep no secret in the run document: the IdP is kept as its snapshot (a keyed digest)', async () => {
    cutOffAt('ListGroups');
    await invoke();
    const body = aws.bucket.read(keys.run) ?? '';
    expect(body).toContain('Okta');
    expect(body).not.toContain(CANARY);
    for (const { key, body: stored } of aws.bucket.allBodies()) expect(stored, key).not.toContain(CANARY);
    // The partial holds part of what the pool's snapshot holds, never more: the run document stays
    // within poolConcurrency snapshots' worth.
    const partial = runDocument().partials?.[pool.poolId];
    const snapshot = aws.bucket.readJson<{ pool: { surfaces: Record<string, unknown> } }>(
      keys.snapshot(pool.poolId),
    );
    expect(partial?.surfaces?.identityProviders).toEqual(snapshot.pool.surfaces.identityProviders);
    expect(JSON.stringify(partial).length).toBeLessThan(JSON.stringify(snapshot.pool).length);
  });

  it('still hit the too-large bound when no surface completes after the first invocation', async () => {
    // Every invocation cuts the groups off; only the first completes anything (MFA, IdPs, servers).
    cutOffAt('ListGroups');
    const first = await invoke();
    let runs = 1;
    let last = first;
    while (!last.done && runs < 10) {
      cutOffAt('ListGroups');
      last = await invoke(first.runId);
      runs += 1;
    }
    // 1 invocation with progress, then 3 without, then the pool is reported without a read.
    expect(runs).toBe(5);
    expect(calls()).toMatchObject({ mfa: 1, describeIdps: 1, groups: 4, resourceServers: 1 });
    expect(last.pools.find((p) => p.poolId === pool.poolId)?.outcome).toBe('unreadable');
    const incomplete = last.sent.find((m) => m.MessageAttributes?.kind?.StringValue === 'scan-incomplete');
    expect(incomplete?.Message).toContain('could not be read (too large for one invocation)');
  });

  it('read a run document written before surfaces resumed (a partial of clients only)', async () => {
    cutOffAt('ListGroups');
    const first = await invoke();
    const written = aws.bucket.readJson<Record<string, unknown>>(keys.run);
    const partials = written.partials as Record<string, { clients: unknown[]; surfaces?: unknown }>;
    for (const partial of Object.values(partials)) delete partial.surfaces;
    aws.bucket.write(keys.run, JSON.stringify(written));

    const resumed = await invoke(first.runId);
    expect(resumed).toMatchObject({ runId: first.runId, done: true });
    expect(resumed.pools.find((p) => p.poolId === pool.poolId)?.outcome).toBe('scanned');
    // Without surfaces in the partial, each surface is read again.
    expect(calls()).toEqual({ mfa: 2, listIdps: 2, describeIdps: 2, groups: 2, resourceServers: 2 });
  });
});
