import { describe, expect, it } from 'vitest';
import type { BaselineDoc, SnapshotDoc, StateDoc } from '../../lambda/core/documents.js';
import { DetectorHarness, FakeAccount, HOUR } from '../support/fake-aws.js';

/** Someone who can write the bucket tries to approve drift, or silence it, by editing documents. */
describe('tampered stored documents', () => {
  async function driftedPool() {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'customers' });
    aws.addClient(pool.poolId, { name: 'web' });
    await harness.run();
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    return { aws, harness, pool };
  }

  it('does not take an edited snapshotHash as approval: the baseline is reported unusable', async () => {
    const { aws, harness, pool } = await driftedPool();
    await harness.run();
    const key = `baselines/${pool.poolId}.json`;
    const snapshot = aws.bucket.readJson<SnapshotDoc>(`snapshots/${pool.poolId}.json`);
    const baseline = aws.bucket.readJson<BaselineDoc>(key);
    // One opaque line in a pull request: the hash of the drifted state, the pool left as approved.
    aws.bucket.write(key, JSON.stringify({ ...baseline, snapshotHash: snapshot.hash }, null, 2));

    const result = await harness.run();

    expect(result.storeProblems).toEqual([
      {
        what: `s3://drift-baselines/${key}`,
        reason: expect.stringContaining('snapshotHash does not match the pool it describes'),
      },
    ]);
    expect(result.sent.map((m) => m.MessageAttributes?.kind?.StringValue)).toContain('store-problem');
  });

  it('does not take a hand edit of the baseline pool with the hash left alone as approval', async () => {
    const { aws, harness, pool } = await driftedPool();
    const key = `baselines/${pool.poolId}.json`;
    const baseline = aws.bucket.readJson<BaselineDoc>(key);
    const edited = structuredClone(baseline);
    if (edited.pool) edited.pool.config.MfaConfiguration = 'OFF';
    aws.bucket.write(key, JSON.stringify(edited, null, 2));

    const result = await harness.run();

    expect(result.storeProblems.map((p) => p.what)).toEqual([`s3://drift-baselines/${key}`]);
  });

  it('clamps an alert time set in the future, so the reminder still comes', async () => {
    const { aws, harness, pool } = await driftedPool();
    const alerted = await harness.run();
    expect(alerted.sent).toHaveLength(1);
    const state = aws.bucket.readJson<StateDoc>('state/detector-state.json');
    const mark = state.pools[pool.poolId]?.drift;
    if (!mark) throw new Error('expected an alert mark');
    mark.lastAlertedAt = '2099-01-01T00:00:00.000Z';
    aws.bucket.write('state/detector-state.json', JSON.stringify(state, null, 2));

    const quiet = await harness.run();
    harness.clock.advance(24 * HOUR);
    const reminded = await harness.run();

    expect(quiet.sent).toHaveLength(0);
    expect(reminded.sent.map((m) => m.MessageAttributes?.kind?.StringValue)).toEqual(['reminder']);
    const after = aws.bucket.readJson<StateDoc>('state/detector-state.json');
    expect(Date.parse(after.pools[pool.poolId]?.drift?.lastAlertedAt ?? '')).toBeLessThanOrEqual(
      harness.clock.now().getTime(),
    );
  });
});
