import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../lambda/core/canonical.js';
import type { BaselineDoc } from '../../../lambda/core/documents.js';
import { IgnoreMatcher, NO_IGNORE_RULES } from '../../../lambda/core/ignore.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import {
  cachedBaseline,
  type EvaluationContext,
  evaluatePool,
  mergeRead,
  type PoolRead,
  snapshotToWrite,
  surfaceUpgrade,
} from '../../../lambda/run/evaluate-pool.js';
import { clientSnapshot, poolSnapshot } from '../../fixtures/snapshots.js';

const T0 = new Date('2026-12-01T00:00:00.000Z');
const ref = { poolId: 'eu-west-1_pool', poolName: 'shop' };
const approved = poolSnapshot({ MfaConfiguration: 'ON' }, [
  clientSnapshot('c1', { a: 1 }),
  clientSnapshot('c2', { a: 2 }),
]);

function baselineDoc(pool: PoolSnapshot): BaselineDoc {
  return {
    formatVersion: 1,
    kind: 'baseline',
    poolId: ref.poolId,
    approvedAt: T0.toISOString(),
    approvedBy: 'alice',
    reason: 'ok',
    snapshotHash: contentHash(pool),
    pool,
  };
}

function read(
  pool: PoolSnapshot,
  gaps: Partial<Pick<PoolRead, 'unreadableClients' | 'unreadableSurfaces'>> = {},
): PoolRead {
  return { status: 'ok', pool, unreadableClients: [], ...gaps };
}

function ctx(overrides: Partial<EvaluationContext> = {}): EvaluationContext {
  return {
    ignore: new IgnoreMatcher(NO_IGNORE_RULES),
    now: T0,
    initialized: true,
    persist: true,
    runId: 'r',
    ...overrides,
  };
}

describe('cachedBaseline', () => {
  const listed = { key: 'baselines/x.json', etag: 'e1' };
  it.each([
    [
      'no baseline listed: nothing to read',
      undefined,
      { baseline: { etag: 'e1', snapshotHash: 'h' } },
      read(approved),
      { hash: null },
    ],
    [
      'the cached version is the listed one: the cache suffices',
      listed,
      { baseline: { etag: 'e1', snapshotHash: 'h' } },
      read(approved),
      { hash: 'h', etag: 'e1' },
    ],
    [
      'the baseline changed since: read it',
      listed,
      { baseline: { etag: 'e0', snapshotHash: 'h' } },
      read(approved),
      undefined,
    ],
    [
      'a client could not be read: read the document to carry it over',
      listed,
      { baseline: { etag: 'e1', snapshotHash: 'h' } },
      read(approved, { unreadableClients: [{ clientId: 'c2', reason: 'x' }] }),
      undefined,
    ],
  ])('%s', (_name, l, poolState, r, expected) => {
    expect(cachedBaseline(r, l, poolState)).toEqual(expected);
  });
});

describe('mergeRead', () => {
  it('carries unreadable clients and surfaces over from the baseline, without touching the read', () => {
    const withSurface = { ...approved, surfaces: { mfa: { mfa: { name: 'mfa', config: { a: 1 } } } } };
    const current = poolSnapshot({ MfaConfiguration: 'ON' }, [clientSnapshot('c1', { a: 1 })]);
    const r = read(current, {
      unreadableClients: [{ clientId: 'c2', reason: 'AccessDenied' }],
      unreadableSurfaces: [{ surface: 'mfa', operation: 'GetUserPoolMfaConfig', reason: 'AccessDenied' }],
    });
    const merged = mergeRead(r, withSurface);
    expect(merged.pool).toEqual(withSurface);
    expect(merged.snapshotHash).toBe(contentHash(withSurface));
    expect(Object.keys(r.pool.clients)).toEqual(['c1']);
  });
});

describe('snapshotToWrite', () => {
  const merged = mergeRead(read(approved), undefined);
  it.each([
    [
      'unchanged since the last snapshot: nothing to write',
      { snapshotHash: merged.snapshotHash },
      read(approved),
      false,
    ],
    ['changed: written', { snapshotHash: 'older' }, read(approved), true],
    [
      'unchanged but part of the read failed: written, naming what was not read',
      { snapshotHash: merged.snapshotHash },
      read(approved, { unreadableClients: [{ clientId: 'c2', reason: 'x' }] }),
      true,
    ],
  ])('%s', (_name, poolState, r, written) => {
    const doc = snapshotToWrite({ ref, read: r, ...merged, poolState, runId: 'r', now: T0 });
    expect(doc !== undefined).toBe(written);
    if (doc)
      expect(doc).toMatchObject({
        poolId: ref.poolId,
        hash: merged.snapshotHash,
        unreadableClients: r.unreadableClients,
      });
  });
});

describe('surfaceUpgrade', () => {
  it('adds only the surfaces the baseline predates, keeping the rest of the approval', () => {
    const baseline = baselineDoc({ ...approved, surfaces: { domains: {} } });
    const current: PoolSnapshot = {
      ...approved,
      config: { MfaConfiguration: 'OFF' },
      surfaces: {
        domains: { d: { name: 'd', config: { x: 1 } } },
        mfa: { m: { name: 'm', config: { y: 1 } } },
      },
    };
    const upgrade = surfaceUpgrade(baseline, current);
    expect(upgrade?.added).toEqual(['mfa']);
    expect(upgrade?.doc.pool?.config).toEqual({ MfaConfiguration: 'ON' });
    expect(upgrade?.doc.pool?.surfaces).toEqual({ domains: {}, mfa: { m: { name: 'm', config: { y: 1 } } } });
    expect(upgrade?.doc.snapshotHash).toBe(contentHash(upgrade?.doc.pool));
    expect(upgrade?.upgradedFrom.baselineHash).toBe(baseline.snapshotHash);
  });
  it('records a trigger the baseline names but could not read, with the hashes from before it', () => {
    const FN = 'arn:aws:lambda:eu-west-1:999999999999:function:elsewhere';
    const OTHER = 'arn:aws:lambda:eu-west-1:999999999999:function:new-one';
    const fn = (code: string) => ({ name: 'elsewhere (PreSignUp)', config: { CodeSha256: code } });
    const then = {
      ...approved,
      config: { LambdaConfig: { PreSignUp: FN } },
      surfaces: { lambdaTriggers: {} },
    };
    const baseline = baselineDoc(then);
    const current: PoolSnapshot = {
      ...then,
      config: { LambdaConfig: { PreSignUp: FN, PostConfirmation: OTHER } },
      surfaces: { lambdaTriggers: { [FN]: fn('c1'), [OTHER]: fn('c2') } },
    };
    const upgrade = surfaceUpgrade(baseline, current);
    // The new trigger is not named by the baseline: it stays a finding, not recorded.
    expect(upgrade?.recorded).toEqual([
      { surface: 'lambdaTriggers', resourceId: FN, resourceName: 'elsewhere (PreSignUp)', recorded: true },
    ]);
    expect(upgrade?.added).toEqual([]);
    expect(upgrade?.doc.pool?.surfaces?.lambdaTriggers).toEqual({ [FN]: fn('c1') });
    expect(upgrade?.doc.pool?.config).toEqual(then.config);
    expect(upgrade?.upgradedFrom).toEqual({
      snapshotHash: contentHash({ ...current, surfaces: { lambdaTriggers: { [OTHER]: fn('c2') } } }),
      baselineHash: baseline.snapshotHash,
    });
  });
  it('does not record a role that only a trigger names (the pool did not point to it)', () => {
    const ROLE = 'arn:aws:iam::999999999999:role/exec';
    const FN = 'arn:aws:lambda:eu-west-1:999999999999:function:f';
    const trigger = { name: 'f', config: { Role: ROLE } };
    const then: PoolSnapshot = {
      ...approved,
      config: { LambdaConfig: { PreSignUp: FN } },
      surfaces: { lambdaTriggers: { [FN]: trigger }, iamRoles: {} },
    };
    const current: PoolSnapshot = {
      ...then,
      surfaces: { lambdaTriggers: { [FN]: trigger }, iamRoles: { [ROLE]: { name: 'exec', config: {} } } },
    };
    expect(surfaceUpgrade(baselineDoc(then), current)).toBeUndefined();
  });
  it('is nothing when no surface is new, or the baseline approves a deletion', () => {
    expect(surfaceUpgrade(baselineDoc(approved), approved)).toBeUndefined();
    expect(surfaceUpgrade({ ...baselineDoc(approved), pool: null }, approved)).toBeUndefined();
  });
});

describe('evaluatePool', () => {
  const changed = poolSnapshot({ MfaConfiguration: 'OFF' }, [
    clientSnapshot('c1', { a: 1 }),
    clientSnapshot('c2', { a: 2 }),
  ]);
  const doc = baselineDoc(approved);
  const evaluate = (pool: PoolSnapshot, hasBaseline: boolean, c: EvaluationContext, newlyWatched = false) =>
    evaluatePool(
      {
        ref,
        read: read(pool),
        pool,
        snapshotHash: contentHash(pool),
        hasBaseline,
        known: hasBaseline ? { hash: doc.snapshotHash, etag: 'e1', doc } : { hash: null },
        newlyWatched,
      },
      c,
    );
  it.each([
    ['at its baseline: no finding, no baseline to record', approved, true, ctx(), false, 0, false],
    ['changed since the baseline: its findings', changed, true, ctx(), false, 1, false],
    ['new pool after the first run: reported as added', approved, false, ctx(), false, 1, false],
    [
      'first run: recorded as baseline, nothing reported',
      approved,
      false,
      ctx({ initialized: false }),
      false,
      0,
      true,
    ],
    [
      'first run looked at only (diff): nothing recorded',
      approved,
      false,
      ctx({ initialized: false, persist: false }),
      false,
      0,
      false,
    ],
    ['a newly watched identity pool: recorded, not reported as added', approved, false, ctx(), true, 0, true],
  ])('%s', (_name, pool, hasBaseline, c, newlyWatched, findings, records) => {
    const { outcome, firstBaseline } = evaluate(pool, hasBaseline, c, newlyWatched);
    expect(outcome.findings).toHaveLength(findings);
    expect(firstBaseline !== undefined).toBe(records);
    expect(outcome).toMatchObject({
      status: 'scanned',
      snapshotHash: contentHash(pool),
      hasBaseline,
      clientCount: 2,
    });
    if (firstBaseline)
      expect(firstBaseline).toMatchObject({ poolId: ref.poolId, snapshotHash: contentHash(pool), pool });
  });
  it('names why a baseline was recorded', () => {
    expect(evaluate(approved, false, ctx({ initialized: false })).firstBaseline?.reason).toBe(
      'Initial baseline recorded by the first detector run',
    );
    expect(evaluate(approved, false, ctx(), true).firstBaseline?.reason).toBe(
      'Baseline recorded when identity pools were first watched',
    );
  });
});
