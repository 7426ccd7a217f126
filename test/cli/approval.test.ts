import { beforeEach, describe, expect, it } from 'vitest';
import { applyApproval, planApprovals } from '../../cli/approval.js';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import { canonicalJson, contentHash } from '../../lambda/core/canonical.js';
import { type BaselineDoc, keys } from '../../lambda/core/documents.js';
import { ConflictError, UsageError } from '../../lambda/errors.js';
import {
  CLIENT_APP,
  CLIENT_WEB,
  client,
  POOL_A,
  POOL_B,
  pool,
  seedDrift,
  snapshotDoc,
} from '../support/cli-harness.js';
import { MemoryDocumentStore } from '../support/memory-document-store.js';

const approvedA = pool(POOL_A, {}, [client(CLIENT_WEB), client(CLIENT_APP)]);
const driftedA = pool(POOL_A, { MfaConfiguration: 'OFF' }, [
  client(CLIENT_WEB, { RefreshTokenValidity: 3650 }),
  client(CLIENT_APP),
]);
const approval = { approvedBy: 'arn:aws:iam::123456789012:user/alice', reason: 'CHG-1', at: new Date(0) };

let documents: MemoryDocumentStore;
let store: DriftStore;

function storedBaseline(poolId: string): BaselineDoc | undefined {
  const body = documents.objects.get(keys.baseline(poolId))?.body;
  return body ? (JSON.parse(body) as BaselineDoc) : undefined;
}

async function planError(request: Parameters<typeof planApprovals>[1]): Promise<UsageError> {
  const error = await planApprovals(store, request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

beforeEach(() => {
  documents = new MemoryDocumentStore();
  store = new DriftStore(documents);
});

describe('planApprovals', () => {
  it('plans to accept the recorded snapshot, with the findings against the baseline', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: driftedA }], null);

    const [plan, ...others] = await planApprovals(store, { poolIds: [POOL_A] });

    expect(others).toEqual([]);
    expect(plan?.approved).toEqual(driftedA);
    expect(plan?.stale).toBeUndefined();
    expect(plan?.baseline?.etag).toBe(documents.objects.get(keys.baseline(POOL_A))?.etag);
    expect(plan?.findings.map((f) => [f.kind, 'path' in f ? f.path : undefined, f.severity])).toEqual([
      ['field-changed', 'MfaConfiguration', 'HIGH'],
      ['field-changed', 'RefreshTokenValidity', expect.any(String)],
    ]);
    expect(documents.writes).toEqual([]);
  });

  it('marks a plan stale when the snapshot is not the one alerted, or nothing was alerted', async () => {
    await seedDrift(
      documents,
      [
        { baseline: approvedA, current: driftedA, alerted: 'other' },
        { baseline: pool(POOL_B), current: pool(POOL_B, { MfaConfiguration: 'OFF' }), alerted: false },
      ],
      null,
    );

    const plans = await planApprovals(store, { poolIds: [POOL_A, POOL_B] });

    expect(plans.map((p) => [p.poolId, p.stale])).toEqual([
      [POOL_A, expect.stringContaining('the pool changed again after the alert')],
      [POOL_B, expect.stringContaining('no alert was sent for this state yet')],
    ]);
  });

  it('reports every unknown pool and every pool without drift together', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: approvedA }], null);

    const error = await planError({ poolIds: [POOL_A, 'us-east-1_Unknown99'] });

    expect(error.message).toContain(`${POOL_A}: the last recorded state is already the baseline`);
    expect(error.message).toContain('record it first with `cognito-drift check`');
    expect(error.message).not.toContain('no pending drift');
    expect(error.message).toContain(
      'us-east-1_Unknown99: no snapshot recorded in memory://test for this pool',
    );
  });

  it('with all, plans every pool with drift and skips the others silently', async () => {
    await seedDrift(
      documents,
      [
        { baseline: approvedA, current: driftedA },
        { baseline: pool(POOL_B), current: pool(POOL_B) },
      ],
      null,
    );

    const plans = await planApprovals(store, { poolIds: [], all: true });

    expect(plans.map((p) => p.poolId)).toEqual([POOL_A]);
  });

  it('with all and no drift anywhere, plans nothing (not an error)', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: approvedA }], null);

    expect(await planApprovals(store, { poolIds: [], all: true })).toEqual([]);
  });

  it('with all and nothing recorded at all, plans nothing instead of asking for a pool', async () => {
    expect(await planApprovals(store, { poolIds: [], all: true })).toEqual([]);
  });

  it('requires a pool', async () => {
    expect((await planError({ poolIds: [] })).message).toContain('Name at least one pool');
  });

  it('with clients, takes only those clients from the snapshot and the rest from the baseline', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: driftedA }], null);

    const [plan] = await planApprovals(store, { poolIds: [POOL_A], clientIds: [CLIENT_WEB] });

    expect(plan?.approved?.config).toEqual(approvedA.config);
    expect(plan?.approved?.clients[CLIENT_WEB]).toEqual(driftedA.clients[CLIENT_WEB]);
    expect(plan?.approved?.clients[CLIENT_APP]).toEqual(approvedA.clients[CLIENT_APP]);
    expect(plan?.findings).toHaveLength(1);
    expect(plan?.findings[0]).toMatchObject({ clientId: CLIENT_WEB, path: 'RefreshTokenValidity' });
  });

  it('with a client deleted since the baseline, approves the deletion', async () => {
    await seedDrift(
      documents,
      [{ baseline: approvedA, current: pool(POOL_A, {}, [client(CLIENT_WEB)]) }],
      null,
    );

    const [plan] = await planApprovals(store, { poolIds: [POOL_A], clientIds: [CLIENT_APP] });

    expect(Object.keys(plan?.approved?.clients ?? {})).toEqual([CLIENT_WEB]);
    expect(plan?.findings).toMatchObject([{ kind: 'client-removed', clientId: CLIENT_APP }]);
  });

  it('with an unknown client, or a pool with no baseline, refuses and names the problem', async () => {
    await seedDrift(
      documents,
      [
        { baseline: approvedA, current: driftedA },
        { baseline: null, current: pool(POOL_B) },
      ],
      null,
    );

    expect((await planError({ poolIds: [POOL_A], clientIds: ['nosuchclient'] })).message).toContain(
      `${POOL_A}: no client nosuchclient in the baseline or the recorded state`,
    );
    expect((await planError({ poolIds: [POOL_B], clientIds: [CLIENT_WEB] })).message).toContain(
      '--client needs a pool that exists in both the baseline and the recorded state',
    );
    expect((await planError({ poolIds: [POOL_A, POOL_B], clientIds: [CLIENT_WEB] })).message).toContain(
      'name exactly one --pool',
    );
  });

  it('lists the clients that could not be read when the snapshot was taken', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: driftedA }], null);
    const snapshot = {
      ...snapshotDoc(POOL_A, driftedA),
      unreadableClients: [{ clientId: CLIENT_APP, reason: 'TooManyRequestsException' }],
    };
    documents.seed(keys.snapshot(POOL_A), canonicalJson(snapshot, 2));

    const [plan] = await planApprovals(store, { poolIds: [POOL_A], all: false });

    expect(plan?.unreadableClients).toEqual([CLIENT_APP]);
  });
});

describe('applyApproval', () => {
  it('replaces the baseline only at the ETag planned against', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: driftedA }], null);
    const etag = documents.objects.get(keys.baseline(POOL_A))?.etag ?? '';
    const [plan] = await planApprovals(store, { poolIds: [POOL_A] });
    if (!plan) throw new Error('no plan');

    await applyApproval(store, plan, approval);

    expect(documents.writes).toEqual([{ key: keys.baseline(POOL_A), condition: { ifMatch: etag } }]);
    expect(storedBaseline(POOL_A)).toEqual({
      formatVersion: 1,
      kind: 'baseline',
      poolId: POOL_A,
      approvedAt: '1970-01-01T00:00:00.000Z',
      approvedBy: approval.approvedBy,
      reason: 'CHG-1',
      snapshotHash: contentHash(driftedA),
      pool: driftedA,
    });
  });

  it('creates the baseline of a new pool only if none appeared meanwhile', async () => {
    await seedDrift(documents, [{ baseline: null, current: driftedA }], null);
    const [plan] = await planApprovals(store, { poolIds: [POOL_A] });
    if (!plan) throw new Error('no plan');

    await applyApproval(store, plan, approval);

    expect(documents.writes).toEqual([{ key: keys.baseline(POOL_A), condition: { ifNoneMatch: '*' } }]);
  });

  it('fails with ConflictError when the baseline changed after planning, and writes nothing', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: driftedA }], null);
    const [plan] = await planApprovals(store, { poolIds: [POOL_A] });
    if (!plan) throw new Error('no plan');
    documents.seed(keys.baseline(POOL_A), documents.objects.get(keys.baseline(POOL_A))?.body ?? '');

    await expect(applyApproval(store, plan, approval)).rejects.toBeInstanceOf(ConflictError);
    expect(documents.writes).toEqual([]);
  });

  it('approves a deleted pool as a baseline with pool null', async () => {
    await seedDrift(documents, [{ baseline: approvedA, current: null, poolId: POOL_A }], null);
    const [plan] = await planApprovals(store, { poolIds: [POOL_A] });
    if (!plan) throw new Error('no plan');

    await applyApproval(store, plan, approval);

    expect(plan.findings).toMatchObject([{ kind: 'pool-removed' }]);
    expect(storedBaseline(POOL_A)).toMatchObject({ pool: null, snapshotHash: null });
  });
});
