import { describe, expect, it } from 'vitest';
import { decideAlerts, dueMark } from '../../../lambda/core/alert-policy.js';
import type { PoolOutcome, StateDoc } from '../../../lambda/core/documents.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T00:00:00.000Z');
const at = (hours: number) => ({ now: new Date(T0.getTime() + hours * HOUR), reminderIntervalMs: 24 * HOUR });
const locate = (key: string) => `s3://bucket/${key}`;

const finding: Finding = {
  kind: 'field-changed',
  poolId: 'p1',
  poolName: 'shop',
  path: 'MfaConfiguration',
  before: 'ON',
  after: 'OFF',
  severity: Severity.HIGH,
  rule: 'mfa-weakened',
};

function scanned(findings: Finding[], snapshotHash = 's1'): PoolOutcome {
  return {
    status: 'scanned',
    poolName: 'shop',
    snapshotHash,
    baselineHash: 'b1',
    baselineEtag: 'e1',
    hasBaseline: true,
    clientCount: 1,
    findings,
    unreadableClients: [],
  };
}

function emptyState(): StateDoc {
  return { formatVersion: 1, kind: 'state', initializedAt: T0.toISOString(), pools: {} };
}

describe('dueMark', () => {
  it('is due for a new fingerprint, silent within the reminder interval, due again after it', () => {
    const first = dueMark(undefined, 'f', at(0));
    expect(first).toEqual({
      fingerprint: 'f',
      firstAlertedAt: at(0).now.toISOString(),
      lastAlertedAt: at(0).now.toISOString(),
    });
    expect(dueMark(first, 'f', at(23))).toBeUndefined();
    expect(dueMark(first, 'f', at(24))).toEqual({ ...first, lastAlertedAt: at(24).now.toISOString() });
  });

  it('keeps the first alert time when the fingerprint changes', () => {
    const first = dueMark(undefined, 'f', at(0));
    expect(dueMark(first, 'g', at(1))).toMatchObject({
      fingerprint: 'g',
      firstAlertedAt: at(0).now.toISOString(),
    });
  });
});

describe('decideAlerts', () => {
  it('alerts new drift once, then stays silent, then reminds, without mutating the state it was given', () => {
    const state = emptyState();
    const first = decideAlerts({ p1: scanned([finding]) }, state, at(0), {}, locate);
    expect(first.drifts.map((d) => d.status)).toEqual(['new']);
    expect(state.pools).toEqual({});
    expect(first.state.pools.p1?.drift).toMatchObject({ highest: 'HIGH', changeCount: 1, poolName: 'shop' });

    const again = decideAlerts({ p1: scanned([finding]) }, first.state, at(2), {}, locate);
    expect(again.drifts).toEqual([]);

    const reminder = decideAlerts({ p1: scanned([finding]) }, first.state, at(25), {}, locate);
    expect(reminder.drifts).toEqual([
      expect.objectContaining({ status: 'reminder', unapprovedSince: at(0).now.toISOString() }),
    ]);
  });

  it('says "changed" when the drift changed since its alert', () => {
    const first = decideAlerts({ p1: scanned([finding]) }, emptyState(), at(0), {}, locate);
    const changed = decideAlerts({ p1: scanned([finding], 's2') }, first.state, at(1), {}, locate);
    expect(changed.drifts.map((d) => d.status)).toEqual(['changed']);
  });

  it('does not re-send drift whose hashes changed only because new surfaces were recorded (an upgrade)', () => {
    const first = decideAlerts({ p1: scanned([finding]) }, emptyState(), at(0), {}, locate);
    type Scanned = Extract<PoolOutcome, { status: 'scanned' }>;
    const upgraded: Scanned = {
      ...(scanned([finding], 's1+surfaces') as Scanned),
      baselineHash: 'b1+surfaces',
      upgradedFrom: { snapshotHash: 's1', baselineHash: 'b1' },
    };
    const realChange: Scanned = { ...upgraded, upgradedFrom: { snapshotHash: 's0', baselineHash: 'b1' } };

    const after = decideAlerts({ p1: upgraded }, first.state, at(1), {}, locate);
    const changed = decideAlerts({ p1: realChange }, first.state, at(1), {}, locate);

    expect(after.drifts).toEqual([]);
    expect(after.state.pools.p1?.drift).toMatchObject({
      snapshotHash: 's1+surfaces',
      baselineHash: 'b1+surfaces',
      firstAlertedAt: at(0).now.toISOString(),
    });
    expect(changed.drifts.map((d) => d.status)).toEqual(['changed']);
    expect(first.state.pools.p1?.drift?.snapshotHash).toBe('s1');
  });

  it('resolves alerted drift that is gone, and forgets a pool that was deleted', () => {
    const first = decideAlerts(
      { p1: scanned([finding]), p2: scanned([finding]) },
      emptyState(),
      at(0),
      {},
      locate,
    );
    const next = decideAlerts(
      { p1: scanned([]), p2: { status: 'gone', poolName: 'old' } },
      first.state,
      at(1),
      {},
      locate,
    );
    expect(next.resolved).toEqual([
      { poolId: 'p1', poolName: 'shop' },
      { poolId: 'p2', poolName: 'old' },
    ]);
    expect(next.state.pools.p1?.drift).toBeUndefined();
    expect(next.state.pools.p2).toBeUndefined();
  });

  it('reports unreadable pools, clients and surfaces as read problems, and sends them once per interval', () => {
    const outcome: PoolOutcome = {
      ...scanned([]),
      unreadableClients: [{ clientId: 'c1', reason: 'AccessDeniedException' }],
      unreadableSurfaces: [
        { surface: 'waf', operation: 'GetWebACLForResource', reason: 'AccessDeniedException' },
      ],
    } as PoolOutcome;
    const first = decideAlerts(
      { p1: outcome, p9: { status: 'unreadable', poolName: 'nine', reason: 'InternalErrorException' } },
      emptyState(),
      at(0),
      {},
      locate,
    );
    expect(first.readProblems.map((p) => p.what)).toEqual([
      'App client c1 in pool shop (p1)',
      'GetWebACLForResource on pool shop (p1)',
      'Pool nine (p9)',
    ]);
    expect(first.sendIncomplete).toBe(true);
    expect(decideAlerts({ p1: outcome }, first.state, at(1), {}, locate).sendIncomplete).toBe(true);
    const same = decideAlerts(
      { p1: outcome, p9: { status: 'unreadable', poolName: 'nine', reason: 'InternalErrorException' } },
      first.state,
      at(1),
      {},
      locate,
    );
    expect(same.sendIncomplete).toBe(false);
  });

  it('names an unusable document where a person finds it', () => {
    const decision = decideAlerts(
      { p1: { status: 'bad-document', poolName: 'shop', key: 'baselines/p1.json', reason: 'not JSON' } },
      emptyState(),
      at(0),
      {},
      locate,
    );
    expect(decision.storeProblems).toEqual([{ what: 's3://bucket/baselines/p1.json', reason: 'not JSON' }]);
    expect(decision.sendStoreProblems).toBe(true);
  });

  it('collects the surfaces recorded into baselines this run', () => {
    const outcome = { ...scanned([]), newlyCovered: ['waf', 'groups'] } as PoolOutcome;
    expect(decideAlerts({ p1: outcome }, emptyState(), at(0), {}, locate).newlyCovered).toEqual([
      'groups',
      'waf',
    ]);
  });
});
