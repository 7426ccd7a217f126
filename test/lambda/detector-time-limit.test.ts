import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunDoc } from '../../lambda/core/documents.js';
import { DetectorHarness, FakeAccount, type FakePool, HOUR, PREFIX } from '../support/fake-aws.js';

const RUN_KEY = 'runs/current.json';

/** Invocation time left: plenty until `pools` pools were described in this invocation, then none. */
function timeForPools(aws: FakeAccount, pools: number): () => number {
  const start = aws.cognito.commandCalls(DescribeUserPoolCommand).length;
  return () => (aws.cognito.commandCalls(DescribeUserPoolCommand).length - start >= pools ? 1_000 : 900_000);
}

function describedPools(aws: FakeAccount): string[] {
  return aws.cognito.commandCalls(DescribeUserPoolCommand).map((c) => c.args[0].input.UserPoolId ?? '');
}

describe('a run longer than one invocation', () => {
  let aws: FakeAccount;
  let harness: DetectorHarness;
  let pools: FakePool[];

  beforeEach(async () => {
    aws = new FakeAccount();
    harness = new DetectorHarness(aws, { poolConcurrency: 1 });
    pools = Array.from({ length: 7 }, (_, i) => aws.addPool({ name: `pool-${i}` }));
    for (const pool of pools) aws.addClient(pool.poolId);
    await harness.run();
    aws.published.length = 0;
    aws.cognito.resetHistory();
  });

  it('persists its progress, resumes without rescanning, and alerts once when done', async () => {
    for (const pool of pools) aws.updatePool(pool.poolId, { MfaConfiguration: 'OPTIONAL' });

    const first = await harness.run({ remainingTimeMs: timeForPools(aws, 3) });

    expect(first.done).toBe(false);
    expect(first.sent).toEqual([]);
    const run = aws.bucket.readJson<RunDoc>(RUN_KEY);
    expect(run).toMatchObject({ status: 'scanning', runId: first.runId, invocations: 1 });
    expect(Object.keys(run.outcomes)).toHaveLength(3);
    const scannedFirst = describedPools(aws);
    expect(scannedFirst).toHaveLength(3);

    aws.cognito.resetHistory();
    const second = await harness.run({ remainingTimeMs: timeForPools(aws, 3) });
    expect(second).toMatchObject({ done: false, runId: first.runId, sent: [] });
    const scannedSecond = describedPools(aws);
    expect(scannedSecond).toHaveLength(3);
    expect(scannedSecond.filter((id) => scannedFirst.includes(id))).toEqual([]);

    aws.cognito.resetHistory();
    const third = await harness.run({ remainingTimeMs: timeForPools(aws, 3) });
    expect(third.done).toBe(true);
    expect(third.runId).toBe(first.runId);
    expect(describedPools(aws)).toHaveLength(1);
    expect(third.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 7 changes in 7 pools`]);
    expect(aws.bucket.readJson<RunDoc>(RUN_KEY)).toMatchObject({ status: 'complete', invocations: 3 });

    const next = await harness.run();
    expect(next.runId).not.toBe(first.runId);
    expect(next.sent).toEqual([]);
  });

  it('starts a fresh scan when the persisted run is older than the longest run allowed', async () => {
    const first = await harness.run({ remainingTimeMs: timeForPools(aws, 2) });
    expect(first.done).toBe(false);
    harness.clock.advance(7 * HOUR);
    aws.cognito.resetHistory();

    const next = await harness.run();

    expect(next.done).toBe(true);
    expect(next.runId).not.toBe(first.runId);
    expect(describedPools(aws)).toHaveLength(7);
  });

  it('finishes a first run split over invocations with one "Baseline recorded" notice', async () => {
    const fresh = new FakeAccount();
    const first = new DetectorHarness(fresh, { poolConcurrency: 1 });
    for (let i = 0; i < 5; i++) fresh.addPool();

    const partial = await first.run({ remainingTimeMs: timeForPools(fresh, 2) });
    const done = await first.run();

    expect(partial.done).toBe(false);
    expect(partial.sent).toEqual([]);
    expect(done.done).toBe(true);
    expect(done.sent.map((m) => m.Subject)).toEqual([
      `${PREFIX}Baseline recorded: watching 5 pools, 0 clients`,
    ]);
    expect(fresh.bucket.keys('baselines/')).toHaveLength(5);
  });
});

describe('a baseline approved while a run is paused between invocations', () => {
  it('is compared by its content afterwards, so later drift from it is still reported', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { poolConcurrency: 1 });
    const pool = aws.addPool({ name: 'customers' });
    aws.addPool({ name: 'staff' });
    await harness.run();
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    const first = await harness.run({ remainingTimeMs: timeForPools(aws, 1) });
    expect(first.done).toBe(false);

    await harness.approve(pool.poolId);
    const finished = await harness.run();
    expect(finished.runId).toBe(first.runId);
    await harness.run();
    aws.updatePool(pool.poolId, { MfaConfiguration: 'ON' });

    const result = await harness.run();

    expect(
      result.pools
        .find((p) => p.poolId === pool.poolId)
        ?.findings.map((f) => ('path' in f ? f.path : f.kind)),
    ).toEqual(['MfaConfiguration']);
  });
});
