import { describe, expect, it } from 'vitest';
import type { Attributor, TrailEvent } from '../../lambda/core/attribution.js';
import type { BaselineDoc, StateDoc } from '../../lambda/core/documents.js';
import type { SinkReport } from '../../lambda/core/finding-sinks.js';
import { DetectorHarness, FakeAccount, HOUR } from '../support/fake-aws.js';

/**
 * What a whole run does with drift a pool's own stack deployed (`deployedChanges` = approve): the
 * cases where recording it as baseline would not be safe are alerted as usual.
 */

const STACK = 'auth-prod';
const EXEC_ROLE = 'arn:aws:sts::123456789012:assumed-role/cdk-hnb659fds-cfn-exec-role/AWSCloudFormation';

/** A CloudFormation call as `toTrailEvent` keeps it. */
function cloudFormationCall(poolId: string, eventName: string, eventId: string): TrailEvent {
  return {
    eventId,
    eventName,
    eventSource: 'cognito-idp.amazonaws.com',
    eventTime: '2026-01-05T06:30:00Z',
    principalArn: EXEC_ROLE,
    principalName: 'cdk-hnb659fds-cfn-exec-role',
    sourceIp: 'cloudformation.amazonaws.com',
    userAgent: 'cloudformation.amazonaws.com',
    invokedBy: 'cloudformation.amazonaws.com',
    resources: { userPoolId: poolId },
  };
}

/** Every change made by one CloudFormation call; `before` runs first (a concurrent approval). */
function byCloudFormation(eventName: string, before?: () => Promise<void>): Attributor {
  return async (requests) => {
    await before?.();
    return new Map(
      requests.map((r) => [
        r.poolId,
        r.findings.map(() => ({
          kind: 'event' as const,
          event: cloudFormationCall(r.poolId, eventName, 'ev-42'),
        })),
      ]),
    );
  };
}

async function stackPool() {
  const aws = new FakeAccount();
  const harness = new DetectorHarness(aws, { deployedChanges: 'approve' });
  const pool = aws.addPool({
    name: 'customers',
    config: { UserPoolTags: { 'aws:cloudformation:stack-name': STACK } },
  });
  const client = aws.addClient(pool.poolId, { name: 'web' });
  await harness.run();
  return { aws, harness, pool, client, key: `baselines/${pool.poolId}.json` };
}

const kinds = (sent: { MessageAttributes?: Record<string, { StringValue?: string }> }[]) =>
  sent.map((m) => m.MessageAttributes?.kind?.StringValue);

describe('deployedChanges = approve', () => {
  it("records a stack's deletion of its pool as the approved deletion, without an alert", async () => {
    const { aws, harness, pool, key } = await stackPool();
    aws.deletePool(pool.poolId);
    harness.attribute = byCloudFormation('DeleteUserPool');

    const result = await harness.run();

    expect(kinds(result.sent)).toEqual([]);
    const baseline = aws.bucket.readJson<BaselineDoc>(key);
    expect(baseline.pool).toBeNull();
    expect(baseline.approvedBy).toBe(`CloudFormation stack ${STACK} (CloudTrail event ev-42)`);
    expect(result.approvedDeployments?.map((a) => a.poolId)).toEqual([pool.poolId]);
    // The next run knows the deletion is approved: nothing to say.
    expect(kinds((await harness.run()).sent)).toEqual([]);
  });

  it('alerts instead when the baseline changed after the run read it (the conditional write fails)', async () => {
    const { aws, harness, pool, key } = await stackPool();
    aws.updatePool(pool.poolId, { EmailVerificationSubject: 'Your code' });
    // Someone approves while the run attributes: the baseline version the drift was computed on is gone.
    harness.attribute = byCloudFormation('UpdateUserPool', () => harness.approve(pool.poolId, 'alice'));

    const result = await harness.run();

    expect(kinds(result.sent)).toEqual(['drift']);
    expect(aws.bucket.readJson<BaselineDoc>(key).approvedBy).toBe('alice');
    expect(harness.logger.text()).toContain('the baseline write failed');
  });

  it('alerts instead when part of the pool could not be read', async () => {
    const { aws, harness, pool, client, key } = await stackPool();
    aws.updatePool(pool.poolId, { EmailVerificationSubject: 'Your code' });
    aws.fail('DescribeUserPoolClient', { clientId: client.clientId, error: 'AccessDeniedException' });
    harness.attribute = byCloudFormation('UpdateUserPool');
    const before = aws.bucket.read(key);

    const result = await harness.run();

    expect(kinds(result.sent)).toContain('drift');
    expect(aws.bucket.read(key)).toBe(before);
    expect(harness.logger.text()).toContain('part of the pool could not be read');
  });

  it('records drift alerted earlier once its reminder is due and attribution finds the stack, and says it is resolved', async () => {
    const { aws, harness, pool, key } = await stackPool();
    aws.updatePool(pool.poolId, { EmailVerificationSubject: 'Your code' });
    // Alerted first without attribution (CloudTrail not read then).
    expect(kinds((await harness.run({ deployedChanges: 'alert' })).sent)).toEqual(['drift']);
    harness.attribute = byCloudFormation('UpdateUserPool');
    // Drift already alerted is looked at again when its reminder is due, not every run.
    expect(kinds((await harness.run()).sent)).toEqual([]);
    harness.clock.advance(24 * HOUR);

    const result = await harness.run();

    expect(kinds(result.sent)).toEqual(['resolved']);
    expect(aws.bucket.readJson<BaselineDoc>(key).pool?.config.EmailVerificationSubject).toBe('Your code');
    const state = aws.bucket.readJson<StateDoc>('state/detector-state.json');
    expect(state.pools[pool.poolId]?.drift).toBeUndefined();
  });
});

describe('a change made outside its stack', () => {
  it('keeps the alert mark at HIGH, as alerted, and gives the finding sinks its origin', async () => {
    const { aws, harness, pool } = await stackPool();
    const reports: SinkReport[] = [];
    harness.sinks = [{ name: 'recording', publish: async (report) => void reports.push(report) }];
    aws.updatePool(pool.poolId, { EmailVerificationSubject: 'Your code' });
    harness.attribute = async (requests) =>
      new Map(
        requests.map((r) => [
          r.poolId,
          r.findings.map(() => ({
            kind: 'event' as const,
            event: { ...cloudFormationCall(r.poolId, 'UpdateUserPool', 'ev-7'), invokedBy: undefined },
          })),
        ]),
      );

    const result = await harness.run();

    expect(result.sent[0]?.MessageAttributes?.severity?.StringValue).toBe('HIGH');
    const state = aws.bucket.readJson<StateDoc>('state/detector-state.json');
    expect(state.pools[pool.poolId]?.drift?.highest).toBe('HIGH');
    expect(result.pools.flatMap((p) => p.findings).map((f) => f.origin)).toEqual([
      { kind: 'outside-stack', stack: STACK },
    ]);
    expect(reports.flatMap((r) => r.drifts.flatMap((d) => d.findings.map((f) => f.origin)))).toEqual([
      { kind: 'outside-stack', stack: STACK, label: `changed outside its stack ${STACK}` },
    ]);
  });
});
