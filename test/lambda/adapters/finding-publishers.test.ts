import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../lambda/adapters/eventbridge-publisher.js';
import { SecurityHubPublisher } from '../../../lambda/adapters/securityhub-publisher.js';
import { desiredFindings, planImport } from '../../../lambda/core/asff.js';
import { type SinkReport, toSinkReport } from '../../../lambda/core/finding-sinks.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { FindingSinkError } from '../../../lambda/errors.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

const POOL = 'us-east-1_Pool1';

function reportOf(pools: number, resolved: string[] = []): SinkReport {
  return toSinkReport(
    {
      accountId: '123456789012',
      region: 'us-east-1',
      runId: 'r',
      at: '2026-12-05T10:00:00Z',
      approveCommand: (p) => `approve ${p}`,
      catalog: CATALOG,
    },
    Array.from({ length: pools }, (_, i) => ({
      poolId: `us-east-1_Pool${i + 1}`,
      poolName: `pool${i + 1}`,
      status: 'new' as const,
      findings: [
        {
          kind: 'field-changed',
          poolId: `us-east-1_Pool${i + 1}`,
          poolName: `pool${i + 1}`,
          path: 'MfaConfiguration',
          before: 'ON',
          after: 'OFF',
          severity: Severity.HIGH,
          rule: 'mfa',
        } as Finding,
      ],
    })),
    resolved.map((poolId) => ({ poolId, poolName: poolId })),
  );
}

describe('EventBridgePublisher', () => {
  const events = mockClient(EventBridgeClient);
  beforeEach(() => events.reset());

  it('puts 12 events in two calls on the default bus', async () => {
    events.on(PutEventsCommand).callsFake((input) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: String(i) })),
    }));

    await new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'aws').publish(
      reportOf(11, ['us-east-1_Gone']),
    );

    const calls = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((entries) => entries.length)).toEqual([10, 2]);
    expect(calls.flat().every((e) => e.EventBusName === undefined && e.Source === 'cognito-drift')).toBe(
      true,
    );
  });

  it('sends again only the entries that failed with a transient code', async () => {
    events
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });

    await new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'aws').publish(
      reportOf(2),
    );

    const calls = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((entries) => entries.length)).toEqual([2, 1]);
    expect(calls[1]?.[0]?.Resources).toEqual([
      'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool2',
    ]);
  });

  it('rejects with the error codes when an entry is refused for good', async () => {
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail' }] });

    const publishing = new EventBridgePublisher(
      new EventBridgeClient({ region: 'us-east-1' }),
      'aws',
    ).publish(reportOf(1));

    await expect(publishing).rejects.toThrow(FindingSinkError);
    await expect(publishing).rejects.toThrow('EventBridge did not accept 1 of 1 events (MalformedDetail)');
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
  });
});

describe('SecurityHubPublisher', () => {
  const hub = mockClient(SecurityHubClient);
  beforeEach(() => hub.reset());
  const now = () => new Date('2026-12-05T11:00:00.000Z');

  it('reads its own active findings of each pool, page by page, and imports only what changed', async () => {
    const [pool] = desiredFindings(reportOf(1), 'aws');
    if (!pool) throw new Error('expected one pool');
    const held = planImport(pool, [], '2026-12-01T00:00:00.000Z');
    hub
      .on(GetFindingsCommand)
      .resolvesOnce({ Findings: [], NextToken: 'page2' })
      .resolves({ Findings: held });
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1 });

    await new SecurityHubPublisher(new SecurityHubClient({ region: 'us-east-1' }), 'aws', now).publish(
      reportOf(1),
    );

    const reads = hub.commandCalls(GetFindingsCommand).map((c) => c.args[0].input);
    expect(reads).toHaveLength(2);
    expect(reads[0]?.Filters).toEqual({
      ProductArn: [
        {
          Value: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
          Comparison: 'EQUALS',
        },
      ],
      GeneratorId: [{ Value: 'cognito-drift/', Comparison: 'PREFIX' }],
      ResourceId: [
        { Value: `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL}`, Comparison: 'EQUALS' },
      ],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
    expect(reads[1]?.NextToken).toBe('page2');
    // The one finding is already held, unchanged: nothing is imported, its UpdatedAt stays.
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });

  it('archives the findings of a resolved pool and rejects when Security Hub refuses some', async () => {
    const [pool] = desiredFindings(reportOf(1), 'aws');
    if (!pool) throw new Error('expected one pool');
    hub.on(GetFindingsCommand).resolves({ Findings: planImport(pool, [], '2026-12-01T00:00:00.000Z') });
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ Id: 'x', ErrorCode: 'InvalidInput', ErrorMessage: 'bad' }],
    });

    const publishing = new SecurityHubPublisher(
      new SecurityHubClient({ region: 'us-east-1' }),
      'aws',
      now,
    ).publish(reportOf(0, [POOL]));

    await expect(publishing).rejects.toThrow('Security Hub refused 1 of 1 findings (InvalidInput)');
    const [sent] = hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings ?? []);
    expect(sent).toEqual([
      expect.objectContaining({
        RecordState: 'ARCHIVED',
        Compliance: { Status: 'PASSED' },
        UpdatedAt: '2026-12-05T11:00:00.000Z',
      }),
    ]);
  });
});
