import { describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../lambda/core/ports.js';
import type { RunAlerts } from '../../../lambda/core/run-alerts.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { aggregateMessages } from '../../../lambda/org/aggregate.js';
import type { OrganizationDeps, OrganizationSettings } from '../../../lambda/org/organization-run.js';
import { runOrganizationStep } from '../../../lambda/org/organization-run.js';
import { organizationRunKeys } from '../../../lambda/org/scan-target.js';
import { parseAccountSelection, parseRegionSelection } from '../../../lambda/org/target.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';

const PROD = { accountId: '111122223333', region: 'eu-west-1' };
const DEV = { accountId: '444455556666', region: 'us-east-1' };
const POOL = 'eu-west-1_Prod1';
const approveCommand = (poolId: string) => `npx cognito-drift approve --pool ${poolId} --bucket b`;

const finding: Finding = {
  kind: 'field-changed',
  poolId: POOL,
  poolName: 'shop ] [cognito-drift fake/prefix]',
  path: 'MfaConfiguration',
  before: 'ON',
  after: 'OFF',
  severity: Severity.HIGH,
  rule: 'mfa-weakened',
};
const drift: RunAlerts = {
  drifts: [{ poolId: POOL, poolName: finding.poolName, findings: [finding], status: 'new' }],
  resolved: [],
};
const report = { runId: 'r1', at: '2026-12-01T10:00:00.000Z', alerts: drift };

describe('the organization digest, built from the targets reports', () => {
  it("one target's drift: the organization's subject, the target's section with its approve command", () => {
    const [digest, ...rest] = aggregateMessages({
      orgRunId: 'o1',
      startedAt: report.at,
      parts: [{ target: PROD, report }],
      approveCommand,
      unreachable: [],
    });
    expect(rest).toEqual([]);
    expect(digest?.subject).toBe('[cognito-drift organization/1 account] HIGH drift: 1 change in 1 pool');
    expect(digest?.body).toContain(
      `=== Account ${PROD.accountId}, region ${PROD.region}: [cognito-drift ${PROD.accountId}/${PROD.region}] HIGH drift`,
    );
    expect(digest?.body).toContain(approveCommand(POOL));
    expect(digest?.attributes).toMatchObject({
      kind: 'drift',
      severity: 'HIGH',
      poolIds: [POOL],
      accounts: [PROD.accountId],
    });
  });

  it('several targets: one digest per kind, counted from the reports', () => {
    const messages = aggregateMessages({
      orgRunId: 'o1',
      startedAt: report.at,
      parts: [
        {
          target: DEV,
          report: { ...report, alerts: { drifts: [], resolved: [{ poolId: 'us-east-1_x', poolName: 'x' }] } },
        },
        { target: PROD, report },
      ],
      approveCommand,
      unreachable: [
        { accountId: '777788889999', region: 'eu-west-1', reason: 'cannot assume role in 777788889999' },
      ],
    });
    expect(messages.map((m) => m.subject)).toEqual([
      '[cognito-drift organization/1 account] HIGH drift: 1 change in 1 pool',
      '[cognito-drift organization/0 accounts] scan-incomplete in 1 target',
      '[cognito-drift organization/1 account] Resolved: drift gone in 1 pool',
    ]);
  });

  it("an earlier release's outcome (rendered messages only) is read as it is, never parsed", () => {
    const legacy: AlertMessage = {
      subject: '[cognito-drift 111122223333/eu-west-1] HIGH drift: 3 changes in 2 pools',
      body: 'the rendered body',
      attributes: { kind: 'drift', severity: 'HIGH', poolIds: [POOL] },
    };
    const [digest] = aggregateMessages({
      orgRunId: 'o1',
      startedAt: report.at,
      parts: [{ target: PROD, messages: [legacy] }],
      approveCommand,
      unreachable: [],
    });
    expect(digest?.subject).toBe('[cognito-drift organization/1 account] HIGH drift in 1 target');
    expect(digest?.body).toContain(
      `=== Account ${PROD.accountId}, region ${PROD.region}: ${legacy.subject}\nthe rendered body`,
    );
  });
});

describe('the aggregate step reads outcome documents of this and the earlier release', () => {
  it('publishes the drift of both', async () => {
    const documents = new MemoryDocumentStore();
    const keys = organizationRunKeys('o1');
    const put = (key: string, doc: unknown) =>
      documents.put(key, JSON.stringify(doc), { unconditional: true });
    await put(
      keys.items,
      [PROD, DEV].map((target) => ({ phase: 'scan', orgRunId: 'o1', target })),
    );
    await put(keys.listing, { unreachable: [] });
    await put(keys.outcome(PROD), { target: PROD, status: 'scanned', report });
    await put(keys.outcome(DEV), {
      target: DEV,
      status: 'scanned',
      messages: [
        {
          subject: '[cognito-drift 444455556666/us-east-1] LOW drift: 1 change in 1 pool',
          body: 'dev body',
          attributes: { kind: 'drift', severity: 'LOW', poolIds: ['us-east-1_dev'] },
        },
      ],
    });
    const sent: AlertMessage[] = [];
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const settings: OrganizationSettings = {
      accounts: parseAccountSelection(`${PROD.accountId},${DEV.accountId}`),
      regions: parseRegionSelection('eu-west-1,us-east-1'),
      selfAccountId: PROD.accountId,
      stackRegion: 'eu-west-1',
      reminderIntervalMs: 86_400_000,
      approveCommand,
      scan: { reminderIntervalMs: 86_400_000, safetyMarginMs: 0, maxRunAgeMs: 3_600_000 },
    };
    await runOrganizationStep(
      { phase: 'aggregate', orgRunId: 'o1', startedAt: report.at },
      {
        documents,
        notifier: { publish: async (m: AlertMessage) => void sent.push(m) },
        logger: quiet,
        now: () => new Date(report.at),
      } as unknown as OrganizationDeps,
      settings,
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.attributes.poolIds).toEqual([POOL, 'us-east-1_dev'].sort());
    expect(sent[0]?.body).toContain('dev body');
    expect(sent[0]?.body).toContain(approveCommand(POOL));
  });
});
