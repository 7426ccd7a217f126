import { describe, expect, it } from 'vitest';
import {
  concludeReferences,
  type NowReadableReference,
  type ReportedReferences,
  type UnreadableReference,
} from '../../../lambda/core/references.js';
import { renderNowReadable } from '../../../lambda/core/run-notices.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

const AT = new Date('2026-12-05T10:00:00.000Z');
const EARLIER = '2026-12-01T00:00:00.000Z';
const FN = 'arn:aws:lambda:us-east-1:999999999999:function:x';
const KEY = `lambdaTriggers/${FN}`;
const denied: UnreadableReference = {
  surface: 'lambdaTriggers',
  resourceId: FN,
  resourceName: 'x',
  reason: 'AccessDeniedException',
};
const readAgain = (recorded: boolean): NowReadableReference => ({
  surface: 'lambdaTriggers',
  resourceId: FN,
  resourceName: 'x',
  recorded,
});
const remembered = (pools?: string[]): ReportedReferences => ({
  [KEY]: { reason: 'AccessDeniedException', reportedAt: EARLIER, ...(pools ? { pools } : {}) },
});

/** One run's references: `read` pools were read whole; the others not at all. */
function conclude(input: {
  pools?: { poolId: string; unreadable?: UnreadableReference[]; nowReadable?: NowReadableReference[] }[];
  reported?: ReportedReferences;
  read: string[];
  targeted?: boolean;
}) {
  const read = new Set(input.read);
  return concludeReferences({
    pools: (input.pools ?? []).map((p) => ({
      poolId: p.poolId,
      poolName: p.poolId,
      unreadable: p.unreadable ?? [],
      nowReadable: p.nowReadable ?? [],
    })),
    reported: input.reported,
    judged: (poolId) => read.has(poolId),
    unjudged: () => ['p9'].filter((p) => !read.has(p)),
    targeted: input.targeted ?? false,
    at: AT,
  });
}

describe('concludeReferences', () => {
  it('remembers the pools that point to an unreadable reference, and reports it once', () => {
    const first = conclude({ pools: [{ poolId: 'p1', unreadable: [denied] }], read: ['p1', 'p9'] });
    expect(first.notices.map((n) => n.pools)).toEqual([['p1 (p1)']]);
    expect(first.reported).toEqual({
      [KEY]: { reason: 'AccessDeniedException', reportedAt: AT.toISOString(), pools: ['p1'] },
    });
    const again = conclude({
      pools: [{ poolId: 'p1', unreadable: [denied] }],
      reported: first.reported,
      read: ['p1'],
    });
    expect(again.notices).toEqual([]);
    expect(again.reported).toEqual(first.reported);
  });

  it.each([
    ['a pool read without it is struck off; one not read keeps its place', ['p1'], ['p2']],
    ['a pool whose references could not be read keeps its place', [], ['p1', 'p2']],
    ['with no pool left it is forgotten', ['p1', 'p2'], undefined],
  ])('%s', (_, read, pools) => {
    const next = conclude({ reported: remembered(['p1', 'p2']), read, targeted: true });
    expect(next.reported[KEY]?.pools).toEqual(pools);
    expect(next.notices).toEqual([]);
  });

  it('forgets a reference read again, even with pools not read, and says so once', () => {
    const next = conclude({
      pools: [{ poolId: 'p1', nowReadable: [readAgain(false)] }],
      reported: remembered(['p1', 'p2']),
      read: ['p1'],
      targeted: true,
    });
    expect(next.reported).toEqual({});
    expect(next.nowReadable).toEqual([
      { surface: 'lambdaTriggers', resourceId: FN, resourceName: 'x', pools: ['p1 (p1)'], recordedIn: [] },
    ]);
  });

  it('says a reference is readable when it was recorded into a baseline, even if not remembered', () => {
    const next = conclude({ pools: [{ poolId: 'p1', nowReadable: [readAgain(true)] }], read: ['p1'] });
    expect(next.nowReadable.map((n) => n.recordedIn)).toEqual([['p1 (p1)']]);
  });

  it('keeps it remembered, not read again, when another pool of the same run could not read it', () => {
    const next = conclude({
      pools: [
        { poolId: 'p1', nowReadable: [readAgain(false)] },
        { poolId: 'p2', unreadable: [denied] },
      ],
      reported: remembered(['p1', 'p2']),
      read: ['p1', 'p2'],
    });
    expect(next.nowReadable).toEqual([]);
    expect(next.notices).toEqual([]);
    expect(next.reported[KEY]?.pools).toEqual(['p2']);
  });

  it('keeps a reference remembered before the pools were (legacy state) through a targeted check', () => {
    const next = conclude({ reported: remembered(), read: ['p1'], targeted: true });
    expect(next.reported).toEqual(remembered());
  });

  it('rebuilds the pools of a legacy reference in a sweep: those seen, and those it could not read', () => {
    const seen = conclude({
      pools: [{ poolId: 'p1', unreadable: [denied] }],
      reported: remembered(),
      read: ['p1'],
    });
    expect(seen.notices).toEqual([]);
    expect(seen.reported[KEY]?.pools).toEqual(['p1', 'p9']);
    expect(conclude({ reported: remembered(), read: ['p1', 'p9'] }).reported).toEqual({});
  });
});

describe('renderNowReadable', () => {
  const ctx = {
    accountId: '123456789012',
    region: 'us-east-1',
    runId: 'r',
    at: AT.toISOString(),
    approveCommand: (poolId: string) => `npm run approve -- --pool ${poolId}`,
    catalog: CATALOG,
  };

  it('names each reference, its pools and the baselines it was recorded into, in a LOW one-line-subject notice', () => {
    const message = renderNowReadable(ctx, [
      {
        surface: 'lambdaTriggers',
        resourceId: FN,
        resourceName: 'x (PreSignUp)\nINJECTED: all clear',
        pools: ['customers (p1)', 'staff (p2)'],
        recordedIn: ['customers (p1)'],
      },
    ]);
    expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(message.subject.length).toBeLessThan(100);
    expect(message.subject).toContain('Now readable from this account: 1 referenced resource');
    expect(message.attributes).toEqual({ kind: 'now-readable', severity: 'LOW', poolIds: [] });
    expect(message.body).toContain(`Lambda trigger x (PreSignUp)`);
    expect(message.body).toContain(FN);
    expect(message.body).toContain('referenced by customers (p1), staff (p2)');
    expect(message.body).toContain('current state recorded as the baseline of customers (p1)');
    // A name cannot start a line of its own.
    expect(message.body.split('\n').some((line) => line.startsWith('INJECTED'))).toBe(false);
  });
});
