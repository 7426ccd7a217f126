import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StateDoc } from '../../lambda/core/documents.js';
import { ConflictError } from '../../lambda/errors.js';
import { DetectorHarness, FakeAccount, type FakePool, PREFIX } from '../support/fake-aws.js';
import { addCustomers, addStaff, watchedAccount } from './watched-account.js';

const STATE_KEY = 'state/detector-state.json';

describe('failures of the store and the topic', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pool: FakePool;
  let other: FakePool;

  beforeEach(async () => {
    ({ aws, harness, pool, other } = await watchedAccount((aws) => ({
      ...addCustomers(aws),
      other: addStaff(aws),
    })));
  });

  describe('a failed SNS publish', () => {
    it('rejects the run, leaves the state as it was, and the next run sends the alert', async () => {
      aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
      aws.fail('Publish', { error: 'InternalError', times: 1 });
      const stateBefore = aws.bucket.current(STATE_KEY)?.etag;

      await expect(harness.run()).rejects.toMatchObject({ name: 'InternalError' });

      expect(aws.published).toEqual([]);
      expect(aws.bucket.current(STATE_KEY)?.etag).toBe(stateBefore);
      const retry = await harness.run();
      expect(retry.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
      expect((await harness.run()).sent).toEqual([]);
    });

    it('on the first run, the next run still sends the "Baseline recorded" notice', async () => {
      const fresh = new FakeAccount();
      const first = new DetectorHarness(fresh);
      fresh.addPool();
      fresh.addPool();
      fresh.fail('Publish', { error: 'AuthorizationError', times: 1 });

      await expect(first.run()).rejects.toMatchObject({ name: 'AuthorizationError' });

      expect(fresh.bucket.read(STATE_KEY)).toBeUndefined();
      const retry = await first.run();
      expect(retry.sent.map((m) => m.Subject)).toEqual([
        `${PREFIX}Baseline recorded: watching 2 pools, 0 clients`,
      ]);
    });
  });

  describe('a failed S3 write', () => {
    it('of a first-run baseline: the retry records the remaining baselines and reports no pool as created', async () => {
      const fresh = new FakeAccount();
      const first = new DetectorHarness(fresh);
      const pools = [fresh.addPool(), fresh.addPool(), fresh.addPool()];
      const last = pools[2] as FakePool;
      fresh.fail('PutObject', { key: `baselines/${last.poolId}.json`, error: 'InternalError', times: 1 });

      await expect(first.run()).rejects.toMatchObject({ name: 'InternalError' });
      const retry = await first.run();

      expect(retry.sent.map((m) => m.Subject)).toEqual([
        `${PREFIX}Baseline recorded: watching 3 pools, 0 clients`,
      ]);
      expect(fresh.bucket.keys('baselines/')).toHaveLength(3);
      expect((await first.run()).sent).toEqual([]);
    });

    it.each([
      ['the snapshot', () => `snapshots/${pool.poolId}.json`],
      ['the report', () => reportKey(harness)],
      ['the state', () => STATE_KEY],
    ])('of %s rejects the run, and the next run sends the alert', async (_what, key) => {
      aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
      aws.fail('PutObject', { key: key(), error: 'InternalError', times: 1 });

      await expect(harness.run()).rejects.toMatchObject({ name: 'InternalError' });

      const retry = await harness.run();
      expect(retry.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
      const state = aws.bucket.readJson<StateDoc>(STATE_KEY);
      expect(state.pools[pool.poolId]?.drift?.changeCount).toBe(1);
    });

    it('stops the pools still being read before it rejects, so none of their writes land later', async () => {
      aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
      aws.updatePool(other.poolId, { MfaConfiguration: 'OFF' });
      // The other pool's read is answered only once the failing write happened (no timing).
      let failed: () => void = () => {};
      const writeFailed = new Promise<void>((resolve) => {
        failed = resolve;
      });
      aws.beforeCall('PutObject', { key: `snapshots/${pool.poolId}.json` }, () => failed());
      aws.fail('PutObject', { key: `snapshots/${pool.poolId}.json`, error: 'InternalError', times: 1 });
      aws.beforeCall('DescribeUserPool', { poolId: other.poolId }, () => writeFailed);

      await expect(harness.run()).rejects.toMatchObject({ name: 'InternalError' });
      const writesWhenRejected = aws.s3.commandCalls(PutObjectCommand).length;
      // Let every pending callback and timer-free continuation run.
      for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));

      expect(aws.s3.commandCalls(PutObjectCommand)).toHaveLength(writesWhenRejected);
    });
  });

  describe('a malformed baseline', () => {
    it.each([
      ['not JSON', () => '{"formatVersion": 1, "kind": "baseli', () => 'not valid JSON'],
      [
        'a newer format version',
        () => JSON.stringify({ formatVersion: 2, kind: 'baseline', poolId: pool.poolId }),
        () => 'unknown formatVersion 2 (this build reads 1)',
      ],
      [
        'the baseline of another pool',
        () => aws.bucket.read(`baselines/${other.poolId}.json`) ?? '',
        () => `it describes pool ${other.poolId}, not ${pool.poolId}`,
      ],
    ])(
      '(%s) is named in a clear notice, left alone, and the other pools are still compared',
      async (_what, body, reason) => {
        const key = `baselines/${pool.poolId}.json`;
        aws.bucket.write(key, body());
        const versions = aws.bucket.versions(key).length;
        aws.updatePool(other.poolId, { MfaConfiguration: 'OFF' });

        const result = await harness.run();

        expect(result.sent.map((m) => m.Subject)).toEqual([
          `${PREFIX}HIGH drift: 1 change in 1 pool`,
          `${PREFIX}Unusable stored documents: 1`,
        ]);
        expect(result.sent[0]?.Message).toContain(other.poolId);
        const notice = result.sent[1]?.Message ?? '';
        expect(notice).toContain(`s3://drift-baselines/${key}: ${reason()}`);
        expect(aws.bucket.versions(key)).toHaveLength(versions);
        expect(result.pools.find((p) => p.poolId === pool.poolId)?.outcome).toBe('bad-document');
        expect((await harness.run()).sent).toEqual([]);
      },
    );
  });

  describe('two writers', () => {
    it('merges when the state changed between read and write: the other writer keeps what it wrote', async () => {
      aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
      aws.beforeCall('PutObject', { key: STATE_KEY }, () => {
        const state = aws.bucket.readJson<StateDoc>(STATE_KEY);
        aws.bucket.write(STATE_KEY, JSON.stringify({ ...state, initializedAt: '2020-01-01T00:00:00.000Z' }));
      });

      await harness.run();

      const state = aws.bucket.readJson<StateDoc>(STATE_KEY);
      expect(state.initializedAt).toBe('2020-01-01T00:00:00.000Z');
      expect(state.pools[pool.poolId]?.drift?.changeCount).toBe(1);
    });

    it('fails with ConflictError when another first run created the state meanwhile', async () => {
      const fresh = new FakeAccount();
      const first = new DetectorHarness(fresh);
      fresh.addPool();
      fresh.beforeCall('PutObject', { key: STATE_KEY }, () => {
        fresh.bucket.write(STATE_KEY, '{}');
      });

      await expect(first.run()).rejects.toBeInstanceOf(ConflictError);

      expect(fresh.bucket.read(STATE_KEY)).toBe('{}');
    });
  });
});

/** The report key of the harness's next run (its run id is the time it starts, one hour on). */
function reportKey(harness: DetectorHarness): string {
  const at = new Date(harness.clock.now().getTime() + 3_600_000);
  return `reports/${at.toISOString().replace(/[:.]/g, '-')}.json`;
}
