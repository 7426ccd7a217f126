import { describe, expect, it } from 'vitest';
import type { Attribution, TrailEvent } from '../../../lambda/core/attribution.js';
import {
  AUTHOR_FOLLOW_UP_DELAY_MS,
  AUTHOR_FOLLOW_UP_GIVE_UP_MS,
  clearAuthorsPending,
  dueAuthorFollowUps,
  followUpsToSend,
  markAuthorsPending,
} from '../../../lambda/core/author-follow-up.js';
import {
  type PoolOutcome,
  runDocSchema,
  type StateDoc,
  stateDocSchema,
} from '../../../lambda/core/documents.js';
import { MAX_SUBJECT_LENGTH, type PoolDrift, renderAuthorFollowUp } from '../../../lambda/core/render.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

const POOL = 'eu-west-1_Pending001';
const ALERTED = new Date('2026-12-02T10:00:00.000Z');
const SINCE = '2026-12-02T07:45:00.000Z';

const finding: Finding = {
  kind: 'field-changed',
  poolId: POOL,
  poolName: 'customers',
  path: 'MfaConfiguration',
  before: 'ON',
  after: 'OFF',
  severity: Severity.HIGH,
  rule: 'mfa-weakened',
};

function state(drift: Partial<NonNullable<StateDoc['pools'][string]['drift']>> = {}): StateDoc {
  return {
    formatVersion: 1,
    kind: 'state',
    initializedAt: '2026-12-01T00:00:00.000Z',
    pools: {
      [POOL]: {
        snapshotHash: 's1',
        drift: {
          fingerprint: 'f1',
          firstAlertedAt: ALERTED.toISOString(),
          lastAlertedAt: ALERTED.toISOString(),
          snapshotHash: 's1',
          baselineHash: 'b1',
          highest: Severity.HIGH,
          changeCount: 1,
          ...drift,
        },
      },
    },
  };
}

const scanned: Record<string, PoolOutcome> = {
  [POOL]: {
    status: 'scanned',
    poolName: 'customers',
    snapshotHash: 's1',
    baselineHash: 'b1',
    hasBaseline: true,
    clientCount: 0,
    findings: [finding],
    unreadableClients: [],
  },
};

const pending: Attribution = { kind: 'unknown', reason: 'not made by the calls', followUp: true };
const drift = (attributions: Attribution[]): PoolDrift => ({
  poolId: POOL,
  poolName: 'customers',
  findings: [finding],
  status: 'new',
  attributions,
});

describe('author follow-ups of real-time alerts', () => {
  it('marks a drift pending only when the check left a change to the next sweep', () => {
    const marked = markAuthorsPending(state(), [drift([pending])], ALERTED, () => SINCE);
    const plainUnknown = markAuthorsPending(
      state(),
      [drift([{ kind: 'unknown', reason: 'lookup failed' }])],
      ALERTED,
      () => SINCE,
    );

    expect(marked.pools[POOL]?.drift?.authorPending).toEqual({
      alertedAt: ALERTED.toISOString(),
      since: SINCE,
    });
    expect(plainUnknown.pools[POOL]?.drift?.authorPending).toBeUndefined();
  });

  it.each([
    ['before CloudTrail has had time to deliver', AUTHOR_FOLLOW_UP_DELAY_MS - 1, {}, [], 0],
    ['once due', AUTHOR_FOLLOW_UP_DELAY_MS, {}, [], 1],
    [
      'not when the drift is alerted again in this run (attributed with it)',
      AUTHOR_FOLLOW_UP_DELAY_MS,
      {},
      [POOL],
      0,
    ],
    ['not when nothing is pending', AUTHOR_FOLLOW_UP_DELAY_MS, { authorPending: undefined }, [], 0],
  ] as const)('looks a pending author up %s', (_case, afterMs, override, realerted, expected) => {
    const doc = state({ authorPending: { alertedAt: ALERTED.toISOString(), since: SINCE }, ...override });
    const alertedNow = realerted.map((poolId) => ({ ...drift([]), poolId }));

    const due = dueAuthorFollowUps(doc, scanned, alertedNow, new Date(ALERTED.getTime() + afterMs));

    expect(due).toHaveLength(expected);
    if (expected)
      expect(due[0]).toEqual({
        poolId: POOL,
        poolName: 'customers',
        alertedAt: ALERTED.toISOString(),
        since: SINCE,
        findings: [finding],
      });
  });

  it.each([
    ['an author was found', [{ kind: 'event', event: {} as TrailEvent }], 60_000, true],
    ['no author yet, within a day of the alert: the next sweep tries again', [pending], 60_000, false],
    ['no author a day after the alert: sent as it is', [pending], AUTHOR_FOLLOW_UP_GIVE_UP_MS, true],
  ] as const)('sends a follow-up when %s', (_case, attributions, afterMs, sent) => {
    const followUp = {
      poolId: POOL,
      poolName: 'customers',
      alertedAt: ALERTED.toISOString(),
      since: SINCE,
      findings: [finding],
    };

    const chosen = followUpsToSend(
      [followUp],
      () => attributions as readonly Attribution[],
      new Date(ALERTED.getTime() + afterMs),
    );

    expect(chosen).toEqual(sent ? [followUp] : []);
  });

  it('looks nothing up for a pool that could not be read', () => {
    const doc = state({ authorPending: { alertedAt: ALERTED.toISOString(), since: SINCE } });
    const unreadable: Record<string, PoolOutcome> = {
      [POOL]: { status: 'unreadable', poolName: 'customers', reason: 'AccessDenied' },
    };

    expect(dueAuthorFollowUps(doc, unreadable, [], new Date('2026-12-03T00:00:00Z'))).toEqual([]);
  });

  it('clears the mark once sent, leaving the alert mark as it was', () => {
    const doc = state({ authorPending: { alertedAt: ALERTED.toISOString(), since: SINCE } });

    const cleared = clearAuthorsPending(doc, [POOL, 'eu-west-1_Unknown0001']);

    expect(cleared.pools[POOL]?.drift).toEqual(state().pools[POOL]?.drift);
    expect(doc.pools[POOL]?.drift?.authorPending).toBeDefined();
  });

  it('reads state written before follow-ups existed, and state that holds one', () => {
    expect(stateDocSchema.parse(state())).toEqual(state());
    const withPending = state({ authorPending: { alertedAt: ALERTED.toISOString(), since: SINCE } });
    expect(stateDocSchema.parse(JSON.parse(JSON.stringify(withPending)))).toEqual(withPending);
    expect(() =>
      stateDocSchema.parse(state({ authorPending: { alertedAt: 'yesterday', since: SINCE } })),
    ).toThrow();
  });

  it('reads a run whose outcomes predate baselineApprovedAt, and one that has it', () => {
    const run = (outcome: PoolOutcome) => ({
      formatVersion: 1,
      kind: 'run',
      runId: 'r1',
      startedAt: '2026-12-02T10:00:00.000Z',
      updatedAt: '2026-12-02T10:00:00.000Z',
      status: 'scanning',
      pools: [{ poolId: POOL, poolName: 'customers' }],
      outcomes: { [POOL]: outcome },
      invocations: 1,
    });
    const old = run(scanned[POOL] as PoolOutcome);
    const current = run({
      ...(scanned[POOL] as PoolOutcome),
      baselineApprovedAt: '2026-12-01T09:00:00.000Z',
    } as PoolOutcome);

    expect(runDocSchema.parse(old)).toEqual(old);
    expect(runDocSchema.parse(current)).toEqual(current);
  });

  it('renders a short notice: an SNS-safe subject, the authors under each group, control characters escaped', () => {
    const event: TrailEvent = {
      eventId: 'e1',
      eventName: 'SetUserPoolMfaConfig',
      eventSource: 'cognito-idp.amazonaws.com',
      eventTime: '2026-12-02T09:55:12Z',
      principalArn: 'arn:aws:iam::123456789012:user/eve\nSubject: forged',
      sourceIp: '203.0.113.9',
      userAgent: 'aws-cli/2.15.0',
      resources: { userPoolId: POOL },
    };

    const message = renderAuthorFollowUp(
      {
        accountId: '123456789012',
        region: 'eu-west-1',
        runId: 'r1',
        at: '2026-12-02T11:00:00.000Z',
        approveCommand: () => 'approve',
        catalog: CATALOG,
      },
      [
        {
          poolId: POOL,
          poolName: 'customers',
          alertedAt: ALERTED.toISOString(),
          findings: [finding],
          attributions: [{ kind: 'event', event }],
        },
      ],
    );

    expect(message.subject).toBe(
      '[cognito-drift 123456789012/eu-west-1] Author of the change alerted at 2026-12-02T10:00:00.000Z',
    );
    expect(message.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(message.body).toContain(`== Pool customers (${POOL}), alerted at 2026-12-02T10:00:00.000Z`);
    expect(message.body).toContain('  Pool: 1 change');
    expect(message.body).toContain(
      '    by arn:aws:iam::123456789012:user/eve\\x0aSubject: forged (SetUserPoolMfaConfig, 2026-12-02T09:55Z, 203.0.113.9, aws-cli/2.15.0)',
    );
    expect(message.body.split('\n').some((line) => line.startsWith('Subject:'))).toBe(false);
    expect(message.attributes).toEqual({ kind: 'author-follow-up', poolIds: [POOL] });
  });
});
