import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../lambda/core/canonical.js';
import type { BaselineDoc, PoolOutcome, RunDoc, StateDoc } from '../../../lambda/core/documents.js';
import { IgnoreMatcher, NO_IGNORE_RULES } from '../../../lambda/core/ignore.js';
import { renderKinds, renderRunAlerts } from '../../../lambda/core/run-alerts.js';
import { Severity } from '../../../lambda/core/types.js';
import {
  concludeRemovals,
  concludeRun,
  type FetchedBaseline,
  freshState,
  mergeStates,
  nextState,
  removalCandidates,
} from '../../../lambda/run/conclude-run.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import { poolSnapshot } from '../../fixtures/snapshots.js';
import { runDoc } from './run-harness.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T00:00:00.000Z');
const clock = { now: T0, reminderIntervalMs: 24 * HOUR };
const locate = (key: string) => `s3://b/${key}`;
const ignore = () => new IgnoreMatcher(NO_IGNORE_RULES);
const A = 'eu-west-1_aaa';
const B = 'eu-west-1_bbb';
const IDP = 'eu-west-1:11111111-2222-3333-4444-555555555555';

const run = (overrides: Partial<RunDoc> = {}): RunDoc =>
  runDoc({ pools: [{ poolId: A, poolName: 'a' }], ...overrides });

function scanned(overrides: Partial<Extract<PoolOutcome, { status: 'scanned' }>> = {}): PoolOutcome {
  return {
    status: 'scanned',
    poolName: 'a',
    snapshotHash: 's',
    baselineHash: 's',
    baselineEtag: 'e',
    hasBaseline: true,
    clientCount: 2,
    findings: [],
    unreadableClients: [],
    ...overrides,
  };
}

const listed = (key: string) => ({ key, etag: `etag-${key}` });

describe('removalCandidates', () => {
  const baselines = new Map([
    [A, listed(A)],
    [B, listed(B)],
    [IDP, listed(IDP)],
  ]);
  it.each([
    ['a baseline the listing no longer names', run({ outcomes: { [A]: scanned() } }), undefined, [B]],
    [
      'a listed pool that vanished mid-scan',
      run({ outcomes: { [A]: { status: 'gone', poolName: 'a' } } }),
      undefined,
      [A, B],
    ],
    ['a targeted check judges only its own pools', run({ outcomes: { [A]: scanned() } }), new Set([A]), []],
    [
      'identity pools are judged only when they were listed',
      run({ outcomes: { [A]: scanned() }, watching: ['identityPools'] }),
      undefined,
      [B, IDP],
    ],
    [
      'not when their listing failed',
      run({
        outcomes: { [A]: scanned() },
        watching: ['identityPools'],
        unlisted: [{ kind: 'identityPools', reason: 'x' }],
      }),
      undefined,
      [B],
    ],
  ])('%s', (_name, r, targets, expected) => {
    expect(
      removalCandidates({
        run: r,
        baselines,
        state: freshState(T0),
        ignore: ignore(),
        ...(targets ? { targets } : {}),
      }),
    ).toEqual(expected);
  });
  it('skips a deletion already approved and seen at that version', () => {
    const state: StateDoc = {
      ...freshState(T0),
      pools: { [B]: { baseline: { etag: `etag-${B}`, snapshotHash: null } } },
    };
    expect(
      removalCandidates({ run: run({ outcomes: { [A]: scanned() } }), baselines, state, ignore: ignore() }),
    ).toEqual([]);
  });
});

describe('concludeRemovals', () => {
  const pool = poolSnapshot({ MfaConfiguration: 'ON' }, [], { poolId: B, poolName: 'b' });
  const baseline: BaselineDoc = {
    formatVersion: 1,
    kind: 'baseline',
    poolId: B,
    approvedAt: T0.toISOString(),
    approvedBy: 'alice',
    reason: 'ok',
    snapshotHash: contentHash(pool),
    pool,
  };
  const conclude = (fetched: FetchedBaseline, state = freshState(T0)) =>
    concludeRemovals({
      candidates: new Map([[B, { object: listed(B), fetched }]]),
      state,
      ignore: ignore(),
      persist: true,
      at: T0,
      runId: 'r1',
    });

  it('a removed pool is a finding against its baseline, with a tombstone snapshot', () => {
    const removals = conclude({ version: { doc: baseline, etag: 'e' } });
    expect(removals.outcomes[B]).toMatchObject({ status: 'scanned', snapshotHash: 'removed', poolName: 'b' });
    const outcome = removals.outcomes[B];
    expect(outcome?.status === 'scanned' && outcome.findings.length).toBeGreaterThan(0);
    expect(removals.tombstones).toMatchObject([{ poolId: B, hash: null, pool: null }]);
    expect(removals.state.pools[B]?.snapshotHash).toBeNull();
  });
  it('an approved deletion resolves the drift alerted for it', () => {
    const state: StateDoc = {
      ...freshState(T0),
      pools: {
        [B]: {
          drift: {
            fingerprint: 'f',
            firstAlertedAt: T0.toISOString(),
            lastAlertedAt: T0.toISOString(),
            snapshotHash: null,
            baselineHash: 'x',
            highest: Severity.HIGH,
            changeCount: 1,
            poolName: 'b',
          },
        },
      },
    };
    const removals = conclude(
      { version: { doc: { ...baseline, pool: null, snapshotHash: null }, etag: 'e' } },
      state,
    );
    expect(removals.resolved).toEqual([{ poolId: B, poolName: 'b' }]);
    expect(removals.state.pools[B]).toEqual({ baseline: { etag: `etag-${B}`, snapshotHash: null } });
    expect(state.pools[B]?.drift).toBeDefined();
  });
  it('an unusable baseline is a store problem, not a removal', () => {
    const removals = conclude({ malformed: { key: `baselines/${B}.json`, reason: 'not JSON' } });
    expect(removals.outcomes[B]).toEqual({
      status: 'bad-document',
      poolName: B,
      key: `baselines/${B}.json`,
      reason: 'not JSON',
    });
    expect(removals.tombstones).toEqual([]);
  });
});

describe('concludeRun', () => {
  const conclude = (r: RunDoc, firstRun: boolean, persist = true) =>
    concludeRun({
      run: r,
      state: freshState(T0),
      firstRun,
      persist,
      resolved: [],
      allPoolsIgnored: 0,
      clock,
      locate,
    });

  it.each([
    [
      'the first run: "Baseline recorded" only',
      run({ outcomes: { [A]: scanned({ recorded: 'first-run' }) } }),
      true,
      true,
      ['baseline-created'],
    ],
    ['a first run looked at only: nothing', run({ outcomes: { [A]: scanned() } }), true, false, []],
    ['a quiet run: nothing', run({ outcomes: { [A]: scanned() } }), false, true, []],
    [
      'identity pools recorded on first watch: "Now also watching"',
      run({ outcomes: { [A]: scanned({ recorded: 'newly-watched' }) } }),
      false,
      true,
      ['now-watching'],
    ],
    [
      'an unreadable pool: "Scan incomplete"',
      run({ outcomes: { [A]: { status: 'unreadable', poolName: 'a', reason: 'AccessDenied' } } }),
      false,
      true,
      ['scan-incomplete'],
    ],
  ])('%s', (_name, r, firstRun, persist, kinds) => {
    const { alerts } = conclude(r, firstRun, persist);
    expect(renderKinds(alerts)).toEqual(kinds);
    expect(
      renderRunAlerts(
        {
          accountId: '1',
          region: 'r',
          runId: 'r1',
          at: T0.toISOString(),
          approveCommand: (p) => p,
          catalog: CATALOG,
        },
        alerts,
      ).map((m) => m.attributes.kind),
    ).toEqual(kinds);
  });

  it('counts the clients the first run recorded', () => {
    const { alerts } = conclude(run({ outcomes: { [A]: scanned({ clientCount: 3 }) } }), true);
    expect(alerts.baselineCreated).toEqual({
      pools: 1,
      clients: 3,
      posture: { pools: 0, risky: 0, accepted: 0, top: [] },
    });
  });

  it('summarizes the posture the first run counted, accepted ones apart', () => {
    const { alerts } = conclude(
      run({
        outcomes: {
          [A]: scanned({
            postureCounts: { 'Cognito.6': { open: 1, accepted: 0 }, 'Cognito.5': { open: 0, accepted: 1 } },
          }),
        },
      }),
      true,
    );

    expect(alerts.baselineCreated?.posture).toEqual({
      pools: 1,
      risky: 1,
      accepted: 1,
      top: [
        {
          control: 'Cognito.6',
          title: 'Cognito user pools should have deletion protection enabled',
          severity: Severity.MEDIUM,
          count: 1,
        },
      ],
    });
  });

  it('reports rules that hide every pool as a read problem', () => {
    const conclusion = concludeRun({
      run: run({ pools: [] }),
      state: freshState(T0),
      firstRun: false,
      persist: true,
      resolved: [],
      allPoolsIgnored: 4,
      clock,
      locate,
    });
    expect(conclusion.readProblems).toEqual([
      expect.objectContaining({ what: 'Ignore rules', reason: expect.stringContaining('all 4 pools') }),
    ]);
  });
});

describe('nextState', () => {
  const before = freshState(T0);
  const decided: StateDoc = {
    ...before,
    incomplete: { fingerprint: 'f', firstAlertedAt: T0.toISOString(), lastAlertedAt: T0.toISOString() },
  };
  it('delivered: the new marks are remembered', () => {
    expect(nextState(decided, before, true)).toEqual({ state: decided });
  });
  it('pending: the marks stay as they were and are returned for whoever delivers', () => {
    const next = nextState(decided, before, false);
    expect(next.state.incomplete).toBeUndefined();
    expect(next.pendingMarks?.incomplete).toEqual({ from: null, to: decided.incomplete });
  });
});

describe('mergeStates', () => {
  const mark = { fingerprint: 'f', firstAlertedAt: T0.toISOString(), lastAlertedAt: T0.toISOString() };
  const current: StateDoc = {
    ...freshState(T0),
    pools: { [A]: { snapshotHash: 'old' }, [B]: { snapshotHash: 'theirs' } },
    incomplete: mark,
  };
  const mine: StateDoc = { ...freshState(T0), pools: { [A]: { snapshotHash: 'mine' } } };
  it('takes the pools this run read from it and the rest from what is stored', () => {
    expect(mergeStates(mine, current, [A], true).pools).toEqual({
      [A]: { snapshotHash: 'mine' },
      [B]: { snapshotHash: 'theirs' },
    });
  });
  it('remembers unreadable references of the pools this run read from it, of the others from what is stored', () => {
    const entry = (pools?: string[]) => ({
      reason: 'AccessDenied',
      reportedAt: T0.toISOString(),
      ...(pools ? { pools } : {}),
    });
    const merged = mergeStates(
      // This run read A: it points to k1 (and k3, new); it no longer points to k2.
      { ...mine, unreadableReferences: { k1: entry([A]), k3: entry([A]) } },
      {
        ...current,
        unreadableReferences: { k1: entry([A, B]), k2: entry([A]), k4: entry([B]), legacy: entry() },
      },
      [A],
      true,
    );
    expect(merged.unreadableReferences).toEqual({
      k1: entry([A, B]),
      k3: entry([A]),
      k4: entry([B]),
      legacy: entry(),
    });
  });
  it('a sweep replaces the stored notices; a targeted check keeps them', () => {
    expect(mergeStates(mine, current, [A], false).incomplete).toBeUndefined();
    expect(mergeStates(mine, current, [A], true).incomplete).toEqual(mark);
  });
});
