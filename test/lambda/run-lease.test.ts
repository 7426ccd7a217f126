import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import { keys, type RunDoc } from '../../lambda/core/documents.js';
import { LeaseLostError, leaseStatus, mayTakeUp, RunLease } from '../../lambda/run/run-lease.js';
import { DetectorHarness, FakeAccount, type FakePool, ManualClock, PREFIX } from '../support/fake-aws.js';
import { MemoryDocumentStore } from '../support/memory-document-store.js';

/** Runs that get stuck or collide: a failed invocation, a resumed first run, a long CLI check. */

const MINUTE = 60_000;
const RUN_KEY = 'runs/current.json';

describe('a failed invocation', () => {
  it('releases its run, so an execution started a minute later resumes it and alerts', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'customers' });
    await harness.run();
    aws.updatePool(pool.poolId, { MfaConfiguration: 'OFF' });
    aws.fail('Publish', { error: 'InternalError', times: 1 });
    const failed = await harness.run().catch((error: unknown) => error);
    expect(failed).toMatchObject({ name: 'InternalError' });

    harness.period = MINUTE; // the operator fixed the cause and started an execution
    const retry = await harness.run();

    expect(retry.skipped).toBeUndefined();
    expect(retry.sent.map((m) => m.Subject)).toEqual([`${PREFIX}HIGH drift: 1 change in 1 pool`]);
  });

  it('keeps what it finished: the resumed run does not read the pool again', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    const pool = aws.addPool({ name: 'customers' });
    await harness.run();
    aws.fail('PutObject', { key: 'state/detector-state.json', error: 'InternalError', times: 1 });
    await expect(harness.run()).rejects.toMatchObject({ name: 'InternalError' });
    const described = aws.cognito.commandCalls(
      (await import('@aws-sdk/client-cognito-identity-provider')).DescribeUserPoolCommand,
    ).length;

    harness.period = MINUTE;
    const retry = await harness.run();

    expect(retry.done).toBe(true);
    expect(retry.pools.map((p) => p.poolId)).toEqual([pool.poolId]);
    expect(
      aws.cognito.commandCalls(
        (await import('@aws-sdk/client-cognito-identity-provider')).DescribeUserPoolCommand,
      ),
    ).toHaveLength(described);
  });
});

describe('a first run over several invocations that fails near the end', () => {
  it('is resumed, accepting the baselines it already wrote, and sends one "Baseline recorded"', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { poolConcurrency: 1 });
    const pools = [aws.addPool(), aws.addPool(), aws.addPool()];
    const last = pools[2] as FakePool;
    // Invocation 1 reads one pool and runs out of time.
    let left = 1_000_000;
    aws.beforeCall('DescribeUserPool', { poolId: pools[0]?.poolId }, () => {
      left = 10;
    });
    const first = await harness.run({ remainingTimeMs: () => left, safetyMarginMs: 20 });
    expect(first.done).toBe(false);
    // Invocation 2 reads the rest, writes two baselines, and fails on the third.
    aws.fail('PutObject', { key: `baselines/${last.poolId}.json`, error: 'InternalError', times: 1 });
    harness.period = MINUTE;
    await expect(
      harness.run({ mode: { kind: 'sweep', alerts: 'delivered', runId: first.runId } }),
    ).rejects.toMatchObject({ name: 'InternalError' });
    expect(aws.bucket.keys('baselines/')).toHaveLength(2);

    const retry = await harness.run();

    expect(retry.sent.map((m) => m.Subject)).toEqual([
      `${PREFIX}Baseline recorded: watching 3 pools, 0 clients`,
    ]);
    expect(aws.bucket.keys('baselines/')).toHaveLength(3);
    expect(retry.pools.flatMap((p) => p.findings)).toEqual([]);
  });
});

describe('a long CLI check', () => {
  it('is not taken over by the scheduled detector while it refreshes its lease', async () => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws, { poolConcurrency: 1 });
    const pools = Array.from({ length: 8 }, () => aws.addPool());
    await harness.run();
    // Each pool takes 4 minutes: 28 minutes in, far past the old 16-minute idle limit.
    for (const pool of pools) {
      aws.beforeCall('DescribeUserPool', { poolId: pool.poolId }, () => harness.clock.advance(4 * MINUTE));
    }
    let scheduled: Awaited<ReturnType<DetectorHarness['run']>> | undefined;
    aws.beforeCall('DescribeUserPool', { poolId: pools[7]?.poolId }, async () => {
      harness.period = 0;
      scheduled = await harness.run(); // the scheduled Lambda starts meanwhile
    });

    const cli = await harness.run(); // like `check`: no time limit

    expect(scheduled?.skipped).toMatch(/in progress in another execution/);
    expect(cli.done).toBe(true);
    expect(cli.skipped).toBeUndefined();
  });

  it('is taken up once its lease ran out (the CLI was killed)', async () => {
    const documents = new MemoryDocumentStore();
    const store = new DriftStore(documents);
    const clock = new ManualClock();
    const run = runDoc(clock.now());
    const lease = new RunLease(store, run, null, clock.now, 5 * MINUTE);
    await lease.take();

    clock.advance(4 * MINUTE);
    const stored = (await store.getRun())?.doc as RunDoc;
    expect(leaseStatus(stored, clock.now(), 16 * MINUTE)).toBe('held');
    clock.advance(2 * MINUTE);
    expect(leaseStatus(stored, clock.now(), 16 * MINUTE)).toBe('free');
  });
});

function runDoc(at: Date): RunDoc {
  return {
    formatVersion: 1,
    kind: 'run',
    runId: 'run-1',
    startedAt: at.toISOString(),
    updatedAt: at.toISOString(),
    status: 'scanning',
    pools: [],
    outcomes: {},
    invocations: 0,
  };
}

describe('RunLease', () => {
  afterEach(() => vi.useRealTimers());

  it('refreshes on its timer while one pool takes long', async () => {
    vi.useFakeTimers();
    const documents = new MemoryDocumentStore();
    const clock = new ManualClock();
    const lease = new RunLease(new DriftStore(documents), runDoc(clock.now()), null, clock.now, 3 * MINUTE);
    await lease.take();
    lease.startTimer();

    clock.advance(MINUTE);
    await vi.advanceTimersByTimeAsync(MINUTE);
    lease.stopTimer();

    expect(documents.writes.map((w) => w.key)).toEqual([RUN_KEY, RUN_KEY]);
    const stored = JSON.parse(documents.objects.get(RUN_KEY)?.body ?? '{}') as RunDoc;
    expect(stored.lease?.expiresAt).toBe(new Date(clock.now().getTime() + 3 * MINUTE).toISOString());
  });

  it('reports the run lost when someone else wrote it, and releases nothing then', async () => {
    const documents = new MemoryDocumentStore();
    const clock = new ManualClock();
    const store = new DriftStore(documents);
    const lease = new RunLease(store, runDoc(clock.now()), null, clock.now, 3 * MINUTE);
    await lease.take();
    documents.plant(RUN_KEY, documents.objects.get(RUN_KEY)?.body ?? '');

    clock.advance(2 * MINUTE);
    await expect(lease.refreshIfDue()).rejects.toBeInstanceOf(LeaseLostError);
    expect(await lease.release()).toBe(false);
  });

  it('hands off to the same execution only, and releases to anyone', async () => {
    const documents = new MemoryDocumentStore();
    const clock = new ManualClock();
    const store = new DriftStore(documents);
    const lease = new RunLease(store, runDoc(clock.now()), null, clock.now, 3 * MINUTE);
    await lease.take();

    await lease.handOff();
    const handedOff = leaseStatus((await store.getRun())?.doc as RunDoc, clock.now(), 0);
    await lease.release();
    const released = leaseStatus((await store.getRun())?.doc as RunDoc, clock.now(), 0);

    expect(handedOff).toBe('handed-off');
    expect([mayTakeUp(handedOff, true), mayTakeUp(handedOff, false)]).toEqual([true, false]);
    expect(released).toBe('free');
    expect(mayTakeUp(released, false)).toBe(true);
  });

  it('treats a run document without a lease (an earlier build) by its last activity', () => {
    const legacy = JSON.parse(
      readFileSync(new URL('../fixtures/documents-v1/run-in-progress.json', import.meta.url), 'utf-8'),
    ) as RunDoc;
    const updated = Date.parse(legacy.updatedAt);

    expect(leaseStatus(legacy, new Date(updated + 10 * MINUTE), 16 * MINUTE)).toBe('handed-off');
    expect(leaseStatus(legacy, new Date(updated + 17 * MINUTE), 16 * MINUTE)).toBe('free');
  });
});

describe('a run document with times in the future', () => {
  it.each([
    ['a lease', { lease: { owner: 'x', expiresAt: '2099-01-01T00:00:00.000Z' } }],
    ['a last activity (no lease)', {}],
  ])('is not held for ever by %s far ahead: the next execution takes it up', async (_what, extra) => {
    const aws = new FakeAccount();
    const harness = new DetectorHarness(aws);
    aws.addPool();
    await harness.run();
    const run = aws.bucket.readJson<RunDoc>(keys.run);
    const { lease: _lease, ...rest } = run;
    aws.bucket.write(
      keys.run,
      JSON.stringify({ ...rest, status: 'scanning', updatedAt: '2099-01-01T00:00:00.000Z', ...extra }),
    );

    harness.period = MINUTE;
    const next = await harness.run();

    expect(next.skipped).toBeUndefined();
    expect(next.done).toBe(true);
  });
});
