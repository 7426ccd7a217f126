import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BaselineDoc } from '../../../lambda/core/documents.js';
import { realtimeEventPaths } from '../../../lambda/realtime/api-event.js';
import { handleApiEvent } from '../../../lambda/realtime/targeted-check.js';
import { runDetection } from '../../../lambda/run/detector.js';
import {
  apiCallEvent,
  defaultOptions,
  FakeAccount,
  fakeAccountDeps,
  HOUR,
  ManualClock,
} from '../../support/fake-aws.js';

/**
 * The real-time check knows only the events that started it: a stack's deployment is told from a
 * console change by the event's `invokedBy`, which the EventBridge rule forwards and the pending batch
 * keeps.
 */

const STACK = 'auth-prod';
const CFN = 'cloudformation.amazonaws.com';

/** An EventBridge "AWS API Call via CloudTrail" event, reduced to the fields the rule forwards. */
function apiEvent(eventName: string, time: Date, poolId: string, byStack: boolean) {
  const detail = {
    eventID: `${eventName}-${time.getTime()}-${byStack}`,
    eventName,
    eventSource: 'cognito-idp.amazonaws.com',
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    userIdentity: byStack
      ? {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/cdk-hnb659fds-cfn-exec-role/AWSCloudFormation',
          invokedBy: CFN,
          sessionContext: { sessionIssuer: { userName: 'cdk-hnb659fds-cfn-exec-role' } },
        }
      : { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory', userName: 'mallory' },
    sourceIPAddress: byStack ? CFN : '198.51.100.7',
    userAgent: byStack ? CFN : 'console.amazonaws.com',
    requestParameters: { userPoolId: poolId },
  };
  return apiCallEvent(detail);
}

describe('a real-time check with deployedChanges = approve', () => {
  let aws: FakeAccount;
  let clock: ManualClock;

  beforeEach(() => {
    aws = new FakeAccount();
    clock = new ManualClock();
  });
  afterEach(() => aws.restore());

  const deps = () => fakeAccountDeps({ clock });
  const options = { ...defaultOptions(), debounceMs: 60_000, deployedChanges: 'approve' as const };

  async function stackPool() {
    const pool = aws.addPool({
      name: 'customers',
      config: { UserPoolTags: { 'aws:cloudformation:stack-name': STACK } },
    });
    await runDetection(deps(), defaultOptions());
    clock.advance(HOUR);
    return pool.poolId;
  }

  it('forwards invokedBy from the rule, so the check can see it', () => {
    expect(realtimeEventPaths()).toContain('userIdentity.invokedBy');
  });

  it("records the stack's own deployment as the baseline, with no alert", async () => {
    const poolId = await stackPool();
    aws.updatePool(poolId, { EmailVerificationSubject: 'Your code' });
    const before = aws.published.length;

    const outcome = await handleApiEvent(
      apiEvent('UpdateUserPool', clock.now(), poolId, true),
      { ...deps(), sleep: async () => undefined },
      options,
    );

    expect(outcome.action).toBe('checked');
    expect(aws.published.slice(before)).toEqual([]);
    const baseline = aws.bucket.readJson<BaselineDoc>(`baselines/${poolId}.json`);
    expect(baseline.approvedBy).toMatch(/^CloudFormation stack auth-prod \(CloudTrail event UpdateUserPool-/);
    expect(baseline.pool?.config.EmailVerificationSubject).toBe('Your code');
  });

  it('alerts a console change to the same pool at once, as changed outside its stack, at HIGH', async () => {
    const poolId = await stackPool();
    aws.updatePool(poolId, { EmailVerificationSubject: 'Your code' });
    const before = aws.published.length;

    await handleApiEvent(
      apiEvent('UpdateUserPool', clock.now(), poolId, false),
      { ...deps(), sleep: async () => undefined },
      options,
    );

    const sent = aws.published.slice(before);
    expect(sent.map((m) => m.MessageAttributes?.severity?.StringValue)).toEqual(['HIGH']);
    expect(sent[0]?.Message).toContain(`changed outside its stack ${STACK}`);
    expect(aws.bucket.readJson<BaselineDoc>(`baselines/${poolId}.json`).approvedBy).toBe(
      'cognito-drift (first run)',
    );
  });
});
