import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BaselineDoc, SnapshotDoc, StateDoc } from '../../lambda/core/documents.js';
import { DetectorHarness, FakeAccount } from '../support/fake-aws.js';

/** Puts of a key during the calls recorded since the last history reset. */
function putKeys(aws: FakeAccount): string[] {
  return aws.s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key ?? '');
}

function getKeys(aws: FakeAccount): string[] {
  return aws.s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key ?? '');
}

describe('the first run', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let poolIds: string[];

  beforeEach(() => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws);
    const web = aws.addPool({ name: 'customers' });
    aws.addClient(web.poolId, { name: 'web' });
    aws.addClient(web.poolId, { name: 'backend', confidential: true });
    const staff = aws.addPool({ name: 'staff' });
    aws.addClient(staff.poolId, { name: 'intranet' });
    aws.addPool({ name: 'empty' });
    poolIds = [web.poolId, staff.poolId, aws.addPool({ name: 'partners' }).poolId];
    aws.addClient(poolIds[2] as string, { name: 'portal' });
  });

  it('records a baseline for every pool, writes every snapshot and sends one short notice', async () => {
    const result = await harness.run();

    expect(result.done).toBe(true);
    expect(result.firstRun).toBe(true);
    const allPools = [...aws.pools.keys()];
    for (const poolId of allPools) {
      const baseline = aws.bucket.readJson<BaselineDoc>(`baselines/${poolId}.json`);
      expect(baseline).toMatchObject({
        formatVersion: 1,
        kind: 'baseline',
        poolId,
        approvedBy: 'cognito-drift (first run)',
      });
      const snapshot = aws.bucket.readJson<SnapshotDoc>(`snapshots/${poolId}.json`);
      expect(snapshot.hash).toBe(baseline.snapshotHash);
      expect(baseline.pool).toEqual(snapshot.pool);
      expect(Object.keys(baseline.pool?.clients ?? {})).toHaveLength(aws.pool(poolId).clients.size);
    }
    expect(aws.published).toHaveLength(1);
    expect(aws.published[0]?.Subject).toBe(
      '[cognito-drift 123456789012/us-east-1] Baseline recorded: watching 4 pools, 4 clients',
    );
    expect(aws.published[0]?.MessageAttributes?.kind?.StringValue).toBe('baseline-created');
  });

  it('reports no finding on the first run, even though no baseline existed', async () => {
    const result = await harness.run();

    expect(result.pools.flatMap((p) => p.findings)).toEqual([]);
    expect(aws.bucket.keys('reports/')).toEqual([]);
  });

  it('remembers what it saw, so the second run needs no baseline read', async () => {
    await harness.run();

    const state = aws.bucket.readJson<StateDoc>('state/detector-state.json');
    for (const poolId of aws.pools.keys()) {
      const baselineEtag = aws.bucket.current(`baselines/${poolId}.json`)?.etag;
      expect(state.pools[poolId]?.baseline?.etag).toBe(baselineEtag);
      expect(state.pools[poolId]?.snapshotHash).toBeTypeOf('string');
    }
  });

  it('does not overwrite a baseline that someone approved before the first run', async () => {
    const [first] = poolIds as [string];
    aws.bucket.write(
      `baselines/${first}.json`,
      JSON.stringify({
        formatVersion: 1,
        kind: 'baseline',
        poolId: first,
        approvedAt: '2026-01-01T00:00:00.000Z',
        approvedBy: 'alice',
        reason: 'approved by hand',
        snapshotHash: null,
        pool: null,
      }),
    );

    await harness.run();

    expect(aws.bucket.versions(`baselines/${first}.json`)).toHaveLength(1);
    expect(aws.bucket.readJson<BaselineDoc>(`baselines/${first}.json`).approvedBy).toBe('alice');
  });
});

describe('a run after nothing changed', () => {
  it('sends nothing, writes no snapshot and reads no baseline', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    for (const name of ['a', 'b', 'c']) {
      const pool = aws.addPool({ name });
      aws.addClient(pool.poolId, { confidential: true });
      aws.addClient(pool.poolId);
    }
    await harness.run();
    aws.s3.resetHistory();
    aws.published.length = 0;

    const result = await harness.run();

    expect(result.done).toBe(true);
    expect(result.poolsScanned).toBe(3);
    expect(aws.published).toEqual([]);
    expect(putKeys(aws).filter((k) => k.startsWith('snapshots/'))).toEqual([]);
    expect(putKeys(aws).filter((k) => k.startsWith('baselines/'))).toEqual([]);
    expect(getKeys(aws).filter((k) => k.startsWith('baselines/'))).toEqual([]);
    expect(aws.bucket.keys('reports/')).toEqual([]);
  });

  it('ignores fields that change by themselves (LastModifiedDate, user count)', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool();
    const client = aws.addClient(pool.poolId);
    await harness.run();

    aws.updatePool(pool.poolId, { EstimatedNumberOfUsers: 4242 });
    aws.updateClient(pool.poolId, client.clientId, {});
    const result = await harness.run();

    expect(result.sent).toEqual([]);
    expect(aws.bucket.versions(`snapshots/${pool.poolId}.json`)).toHaveLength(1);
  });
});
