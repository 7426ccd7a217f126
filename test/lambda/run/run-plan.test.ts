import { describe, expect, it } from 'vitest';
import type { SnapshotDoc } from '../../../lambda/core/documents.js';
import { IgnoreMatcher, NO_IGNORE_RULES } from '../../../lambda/core/ignore.js';
import {
  carriedClients,
  newRun,
  planStart,
  type StartPlan,
  targetedPools,
} from '../../../lambda/run/run-plan.js';
import { clientSnapshot, poolSnapshot } from '../../fixtures/snapshots.js';
import { runDoc as run } from './run-harness.js';

const MIN = 60_000;
const T0 = new Date('2026-12-01T00:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

const lease = (expiresInMs: number, handoff = false) => ({
  owner: 'other',
  expiresAt: later(expiresInMs).toISOString(),
  ...(handoff ? { handoff } : {}),
});

describe('planStart', () => {
  const limits = { maxRunAgeMs: 24 * 60 * MIN, activeRunGraceMs: 16 * MIN };
  const cases: [string, Parameters<typeof planStart>[0], StartPlan['action'], string?][] = [
    ['no run document: start', { existing: undefined, continuing: undefined, now: T0, ...limits }, 'start'],
    [
      'a completed run: start a new one',
      { existing: run({ status: 'complete' }), continuing: undefined, now: T0, ...limits },
      'start',
    ],
    [
      'a run whose lease another execution holds: skip',
      { existing: run({ lease: lease(5 * MIN) }), continuing: undefined, now: later(MIN), ...limits },
      'skip',
      'run r1 is in progress in another execution',
    ],
    [
      'a run whose lease ran out (its worker died): resume',
      { existing: run({ lease: lease(MIN) }), continuing: undefined, now: later(2 * MIN), ...limits },
      'resume',
    ],
    [
      'a run handed off to its own next invocation: that invocation resumes',
      { existing: run({ lease: lease(5 * MIN, true) }), continuing: 'r1', now: later(MIN), ...limits },
      'resume',
    ],
    [
      'a run handed off, a fresh start: skip',
      { existing: run({ lease: lease(5 * MIN, true) }), continuing: undefined, now: later(MIN), ...limits },
      'skip',
      'run r1 is in progress in another execution',
    ],
    [
      'asked to continue a run that is not the stored one: skip',
      { existing: run(), continuing: 'r0', now: later(MIN), ...limits },
      'skip',
      'run r0 was finished or taken up by another execution',
    ],
    [
      'a free run older than the maximum age: start over',
      { existing: run({ lease: lease(MIN) }), continuing: undefined, now: later(25 * 60 * MIN), ...limits },
      'start',
    ],
    [
      'a run without a lease updated within the grace: skip',
      { existing: run(), continuing: undefined, now: later(5 * MIN), ...limits },
      'skip',
    ],
  ];
  it.each(cases)('%s', (_name, input, action, reason) => {
    const plan = planStart(input);
    expect(plan.action).toBe(action);
    if (reason) expect(plan).toMatchObject({ reason });
  });

  it('names the stale run it abandons and its age', () => {
    const plan = planStart({
      existing: run({ lease: lease(MIN) }),
      continuing: undefined,
      now: later(25 * 60 * MIN),
      maxRunAgeMs: 24 * 60 * MIN,
      activeRunGraceMs: 16 * MIN,
    });
    expect(plan).toEqual({ action: 'start', abandoned: { runId: 'r1', ageMs: 25 * 60 * MIN } });
  });
});

describe('newRun', () => {
  it('sorts the pools, marks a first run, and names its id after the start time', () => {
    const doc = newRun({
      at: T0,
      pools: [
        { poolId: 'eu-west-1_b', poolName: 'b' },
        { poolId: 'eu-west-1_a', poolName: 'a' },
      ],
      initialized: false,
      watching: ['mfa'],
    });
    expect(doc.runId).toBe('2026-12-01T00-00-00-000Z');
    expect(doc.pools.map((p) => p.poolId)).toEqual(['eu-west-1_a', 'eu-west-1_b']);
    expect(doc.firstRun).toBe(true);
    expect(doc.watching).toEqual(['mfa']);
  });

  it('is not a first run once anything was recorded', () => {
    expect(newRun({ at: T0, pools: [], initialized: true, watching: [] }).firstRun).toBeUndefined();
  });
});

describe('targeted checks', () => {
  it('reads each named pool once, in order, leaving out those ignored by id', () => {
    const ignore = new IgnoreMatcher({ ...NO_IGNORE_RULES, pools: ['eu-west-1_skip'] });
    const pools = targetedPools(
      {
        kind: 'targeted',
        alerts: 'delivered',
        runId: 't',
        pools: ['eu-west-1_b', 'eu-west-1_skip', 'eu-west-1_a', 'eu-west-1_b'],
      },
      ignore,
    );
    expect(pools.map((p) => p.poolId)).toEqual(['eu-west-1_a', 'eu-west-1_b']);
  });

  const latest: SnapshotDoc = {
    formatVersion: 1,
    kind: 'snapshot',
    poolId: 'eu-west-1_a',
    capturedAt: T0.toISOString(),
    runId: 'r1',
    hash: 'h',
    unreadableClients: [{ clientId: 'c3', reason: 'AccessDenied' }],
    pool: poolSnapshot({}, [clientSnapshot('c1', {}), clientSnapshot('c2', {}), clientSnapshot('c3', {})]),
  };
  it.each([
    ['the events named c1: c2 is carried over (c3 was not read then)', ['c1'], ['c2']],
    ['no client named: every client that was read is carried over', [], ['c1', 'c2']],
  ])('%s', (_name, changed, carried) => {
    expect(carriedClients(changed, latest)?.clients.map((c) => c.clientId)).toEqual(carried);
  });
  it('reads the whole pool without a latest snapshot or without a list of changed clients', () => {
    expect(carriedClients(['c1'], undefined)).toBeUndefined();
    expect(carriedClients(undefined, latest)).toBeUndefined();
  });
});
