import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudTrailReader } from '../../../lambda/adapters/cloudtrail-reader.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';

const POOL = 'eu-west-1_Target0001';
const OTHER = 'eu-west-1_Flooded001';
const IDENTITY_POOL = 'eu-west-1:5b0f6c1e-2222-4333-8444-555566667777';
const NOW = new Date('2026-12-02T11:00:00Z');
const SINCE = '2026-12-02T10:00:00.000Z';

const trail = mockClient(CloudTrailClient);

function record(eventName: string, user: string, minute: number, requestParameters: Record<string, unknown>) {
  return {
    EventId: `${user}-${minute}`,
    CloudTrailEvent: JSON.stringify({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::123456789012:user/${user}`, userName: user },
      eventTime: `2026-12-02T10:${String(minute).padStart(2, '0')}:00Z`,
      eventSource: eventName.includes('IdentityPool')
        ? 'cognito-identity.amazonaws.com'
        : 'cognito-idp.amazonaws.com',
      eventName,
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      requestParameters,
      eventID: `${user}-${minute}`,
    }),
  };
}

function finding(poolId: string, path: string, severity = Severity.HIGH): Finding {
  return {
    kind: 'field-changed',
    poolId,
    poolName: 'customers',
    path,
    before: false,
    after: true,
    severity,
    rule: 'default',
  };
}

function attributeOf(input: LookupEventsCommandInput): string {
  const [attribute] = input.LookupAttributes ?? [];
  return `${attribute?.AttributeKey}=${attribute?.AttributeValue}`;
}

function reader() {
  // The mock replaces `send`, so no pacing applies: what is under test is which calls are made.
  return new CloudTrailReader({
    client: new CloudTrailClient({ region: 'eu-west-1' }),
    quotaShare: 1,
    now: () => NOW,
  });
}

describe('CloudTrailReader (mocked LookupEvents)', () => {
  beforeEach(() => trail.reset());

  it('gives each finding its own budget: an endless flood of one event name stops one finding, not the next', async () => {
    trail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      if (attributeOf(input) === 'ResourceName=eu-west-1_Flooded001')
        return { Events: [record('UpdateUserPool', 'bob', 30, { userPoolId: OTHER })] };
      if (attributeOf(input) === 'EventName=UpdateUserPool')
        // A page of writes on a third pool, and always another page.
        return {
          Events: Array.from({ length: 50 }, (_, i) =>
            record('UpdateUserPool', `bot${i}`, 40, { userPoolId: 'eu-west-1_Third0001' }),
          ),
          NextToken: 'more',
        };
      return { Events: [] };
    });

    const result = await reader().attribute([
      { poolId: POOL, findings: [finding(POOL, 'UserPoolTags.a')], since: SINCE },
      { poolId: OTHER, findings: [finding(OTHER, 'UserPoolTags.b', Severity.LOW)], since: SINCE },
    ]);

    expect(result.get(POOL)).toEqual([
      { kind: 'unknown', reason: 'CloudTrail lookup stopped after 4 calls for this change' },
    ]);
    expect(result.get(OTHER)?.[0]).toMatchObject({ kind: 'event', event: { principalName: 'bob' } });
    expect(trail.commandCalls(LookupEventsCommand).map((c) => attributeOf(c.args[0].input))).toEqual([
      'ResourceName=eu-west-1_Target0001',
      'EventName=UpdateUserPool',
      'EventName=UpdateUserPool',
      'EventName=UpdateUserPool',
      'ResourceName=eu-west-1_Flooded001',
    ]);
  });

  it('stops looking up resource names once the run finds CloudTrail does not record them', async () => {
    const pools = ['eu-west-1_Client00001', 'eu-west-1_Client00002', 'eu-west-1_Client00003'];
    trail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) =>
      attributeOf(input) === 'EventName=UpdateUserPool'
        ? {
            Events: pools.map((poolId, i) =>
              record('UpdateUserPool', `user${i}`, 10 + i, { userPoolId: poolId }),
            ),
          }
        : { Events: [] },
    );

    const result = await reader().attribute(
      pools.map((poolId) => ({ poolId, findings: [finding(poolId, 'UserPoolTags.x')], since: SINCE })),
    );

    expect([...result.values()].flat().map((a) => a.kind)).toEqual(['event', 'event', 'event']);
    expect(trail.commandCalls(LookupEventsCommand).map((c) => attributeOf(c.args[0].input))).toEqual([
      'ResourceName=eu-west-1_Client00001',
      'EventName=UpdateUserPool',
    ]);
  });

  it('with more resources than the limit, one series per event name serves them all, resources after', async () => {
    const paced = reader();
    // Half the calls 15 s allow at 2/s.
    expect(paced.resourceFirstLimit).toBe(15);
    const pools = Array.from(
      { length: paced.resourceFirstLimit + 1 },
      (_, i) => `eu-west-1_Many${String(i).padStart(5, '0')}`,
    );
    trail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      if (attributeOf(input) === `ResourceName=${pools[0]}`)
        return { Events: [record('UpdateUserPool', 'buried', 5, { userPoolId: pools[0] })] };
      if (attributeOf(input) !== 'EventName=UpdateUserPool') return { Events: [] };
      // Every pool but the first on the first page, then a flood of writes elsewhere, page after page.
      return input.NextToken
        ? { Events: [record('UpdateUserPool', 'bot', 30, { userPoolId: OTHER })], NextToken: 'more' }
        : {
            Events: pools
              .slice(1)
              .map((poolId, i) => record('UpdateUserPool', `user${i}`, 10, { userPoolId: poolId })),
            NextToken: 'more',
          };
    });

    const result = await paced.attribute(
      pools.map((poolId) => ({ poolId, findings: [finding(poolId, 'UserPoolTags.x')], since: SINCE })),
    );

    expect([...result.values()].flat().filter((a) => a.kind === 'event')).toHaveLength(pools.length);
    expect(result.get(pools[0] ?? '')?.[0]).toMatchObject({
      kind: 'event',
      event: { principalName: 'buried' },
    });
    // The event-name series serves every pool; the flood takes three of the first pool's four calls,
    // and the fourth, held back for it, is its resource lookup.
    expect(trail.commandCalls(LookupEventsCommand).map((c) => attributeOf(c.args[0].input))).toEqual([
      'EventName=UpdateUserPool',
      'EventName=UpdateUserPool',
      'EventName=UpdateUserPool',
      `ResourceName=${pools[0]}`,
    ]);
  });

  it('goes on to the next event name when the only fitting event so far predates the request window', async () => {
    trail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      if (attributeOf(input) === 'EventName=SetUserPoolMfaConfig')
        return { Events: [record('SetUserPoolMfaConfig', 'approved-earlier', 5, { userPoolId: POOL })] };
      if (attributeOf(input) === 'EventName=UpdateUserPool')
        return { Events: [record('UpdateUserPool', 'late', 45, { userPoolId: POOL })] };
      return { Events: [] };
    });

    const result = await reader().attribute([
      { poolId: POOL, findings: [finding(POOL, 'MfaConfiguration')], since: '2026-12-02T10:30:00.000Z' },
      // Another pool's client change, looked up from earlier: the run's window holds the early write.
      {
        poolId: OTHER,
        findings: [{ ...finding(OTHER, 'CallbackURLs', Severity.LOW), clientId: 'c1', clientName: 'web' }],
        since: SINCE,
      },
    ]);

    expect(result.get(POOL)).toEqual([
      { kind: 'event', event: expect.objectContaining({ principalName: 'late' }) },
    ]);
  });

  it('keeps identity-pool events (identityPoolId) and matches them to identity-pool findings', async () => {
    trail
      .on(LookupEventsCommand)
      .resolves({ Events: [] })
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: IDENTITY_POOL }],
      })
      .resolves({
        Events: [
          record('SetIdentityPoolRoles', 'mallory', 12, { identityPoolId: IDENTITY_POOL }),
          record('UpdateIdentityPool', 'eve', 20, {
            identityPoolId: 'eu-west-1:00000000-0000-4000-8000-000000000000',
          }),
        ],
      });

    const result = await reader().attribute([
      { poolId: IDENTITY_POOL, findings: [finding(IDENTITY_POOL, 'Roles.unauthenticated')], since: SINCE },
    ]);

    expect(result.get(IDENTITY_POOL)).toEqual([
      {
        kind: 'event',
        event: expect.objectContaining({
          eventName: 'SetIdentityPoolRoles',
          principalName: 'mallory',
          resources: { identityPoolId: IDENTITY_POOL },
        }),
      },
    ]);
  });

  it('names no write made before the request window started, though the run window holds it', async () => {
    trail.on(LookupEventsCommand).resolves({
      Events: [
        record('UpdateUserPool', 'early', 5, { userPoolId: POOL }),
        record('UpdateUserPool', 'late', 45, { userPoolId: POOL }),
      ],
    });

    const result = await reader().attribute([
      { poolId: POOL, findings: [finding(POOL, 'DeletionProtection')], since: '2026-12-02T10:30:00.000Z' },
      { poolId: OTHER, findings: [finding(OTHER, 'DeletionProtection')], since: SINCE },
    ]);

    expect(result.get(POOL)).toEqual([
      { kind: 'event', event: expect.objectContaining({ principalName: 'late' }) },
    ]);
  });
});
