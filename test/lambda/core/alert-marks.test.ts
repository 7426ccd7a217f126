import { describe, expect, it } from 'vitest';
import {
  applyAlertMarks,
  hasPendingMarks,
  keepAlertMarks,
  pendingAlertMarks,
} from '../../../lambda/core/alert-marks.js';
import type { StateDoc } from '../../../lambda/core/documents.js';
import { Severity } from '../../../lambda/core/types.js';

const mark = (fingerprint: string, at: string) => ({
  fingerprint,
  firstAlertedAt: at,
  lastAlertedAt: at,
  snapshotHash: `s-${fingerprint}`,
  baselineHash: 'b',
  highest: Severity.HIGH,
  changeCount: 1,
});
const state = (pools: StateDoc['pools'], extra: Partial<StateDoc> = {}): StateDoc => ({
  formatVersion: 1,
  kind: 'state',
  initializedAt: '2026-12-01T00:00:00.000Z',
  pools,
  ...extra,
});

describe('alert marks held back until delivery', () => {
  const before = state({ a: { drift: mark('old', '2026-12-01T01:00:00.000Z') }, b: {} });
  const next = state(
    { a: {}, b: { drift: mark('new', '2026-12-01T02:00:00.000Z') } },
    { incomplete: { fingerprint: 'i', firstAlertedAt: 'x', lastAlertedAt: '2026-12-01T02:00:00.000Z' } },
  );

  it('records what the run would have marked and cleared, and applying it gives the delivered state', () => {
    const pending = pendingAlertMarks(next, before);
    expect(hasPendingMarks(pending)).toBe(true);
    expect(Object.keys(pending.pools).sort()).toEqual(['a', 'b']);
    const written = keepAlertMarks(next, before);
    expect(written.pools.b?.drift).toBeUndefined();
    const applied = applyAlertMarks(written, pending);
    expect(applied.pools.a?.drift).toBeUndefined();
    expect(applied.pools.b?.drift).toEqual(next.pools.b?.drift);
    expect(applied.pools.b?.shown).toBeUndefined();
    expect(applied.incomplete).toEqual(next.incomplete);
  });

  it('leaves a mark another run has set since: the newer one stands', () => {
    const pending = pendingAlertMarks(next, before);
    const newer = mark('newer', '2026-12-01T03:00:00.000Z');
    const stored = state({ a: { drift: newer }, b: { drift: newer } });
    const applied = applyAlertMarks(stored, pending);
    expect(applied.pools.a?.drift).toEqual(newer);
    expect(applied.pools.b?.drift).toEqual(newer);
  });

  it('holds back clearing an author follow-up until the notice is delivered', () => {
    const pendingAuthor = { alertedAt: '2026-12-01T01:00:00.000Z', since: '2026-11-30T23:00:00.000Z' };
    const owed = state({
      a: { drift: { ...mark('old', '2026-12-01T01:00:00.000Z'), authorPending: pendingAuthor } },
    });
    const sent = state({ a: { drift: mark('old', '2026-12-01T01:00:00.000Z') } });

    const pending = pendingAlertMarks(sent, owed);
    const written = keepAlertMarks(sent, owed);

    expect(written.pools.a?.drift?.authorPending).toEqual(pendingAuthor);
    expect(applyAlertMarks(written, pending).pools.a?.drift).toEqual(sent.pools.a?.drift);
  });

  it('has nothing pending when no mark changed', () => {
    expect(hasPendingMarks(pendingAlertMarks(before, before))).toBe(false);
  });
});
