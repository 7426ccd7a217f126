import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudTrailReader } from '../../../lambda/adapters/cloudtrail-reader.js';
import { formatAttribution } from '../../../lambda/core/attribution.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { CloudTrailStandin } from '../../support/cloudtrail-standin.js';

const POOL = 'us-east-1_AbCdEf123';
const OTHER = 'us-east-1_Other0001';
const NOW = new Date('2026-12-02T11:00:00Z');
const SINCE = '2026-12-02T10:00:00.000Z';
const CANARY = 'CANARY-idp-client-secret-7f3a9c';

function poolFinding(path: string): Finding {
  return {
    kind: 'field-changed',
    poolId: POOL,
    poolName: 'customers',
    path,
    before: 'a',
    after: 'b',
    severity: Severity.MEDIUM,
    rule: 'default',
  };
}

function clientFinding(clientId: string): Finding {
  return {
    kind: 'field-changed',
    poolId: POOL,
    poolName: 'customers',
    clientId,
    clientName: 'web',
    path: 'RefreshTokenValidity',
    before: 30,
    after: 365,
    severity: Severity.HIGH,
    rule: 'token-validity-longer',
  };
}

describe('CloudTrailReader against the CloudTrail stand-in', () => {
  let standin: CloudTrailStandin;

  beforeAll(async () => {
    // A raised quota keeps the test short; pacing to it is what is under test.
    standin = await CloudTrailStandin.start({ lookupRps: 20 });
  });
  afterAll(async () => standin.stop());
  beforeEach(() => {
    standin.resetStats();
    standin.clearRecords();
  });

  function reader(options: { maxAttempts?: number; maxCallsPerFinding?: number } = {}) {
    const client = new CloudTrailClient(standin.clientConfig({ maxAttempts: options.maxAttempts ?? 3 }));
    return new CloudTrailReader({
      client,
      quotaShare: 1,
      lookupRps: 20,
      now: () => NOW,
      ...(options.maxCallsPerFinding ? { maxCallsPerFinding: options.maxCallsPerFinding } : {}),
    });
  }

  it('names every author of a client change, earliest first; a resource lookup first, then by event name', async () => {
    const at = (m: number) => new Date(Date.parse('2026-12-02T10:00:00Z') + m * 60_000);
    standin.recordWrite({
      eventName: 'UpdateUserPoolClient',
      time: at(5),
      user: 'alice',
      requestParameters: { userPoolId: POOL, clientId: 'client-a' },
    });
    standin.recordWrite({
      eventName: 'UpdateUserPoolClient',
      time: at(41),
      user: 'mallory',
      requestParameters: { userPoolId: POOL, clientId: 'client-a' },
    });
    // Later, but a failed call, another client, another pool: none of them made the change.
    standin.recordWrite({
      eventName: 'UpdateUserPoolClient',
      time: at(50),
      user: 'eve',
      errorCode: 'AccessDenied',
      requestParameters: { userPoolId: POOL, clientId: 'client-a' },
    });
    standin.recordWrite({
      eventName: 'UpdateUserPoolClient',
      time: at(51),
      user: 'bob',
      requestParameters: { userPoolId: POOL, clientId: 'client-b' },
    });
    standin.recordWrite({
      eventName: 'UpdateUserPoolClient',
      time: at(52),
      user: 'carol',
      requestParameters: { userPoolId: OTHER, clientId: 'client-a' },
    });
    // 60 more events of other pools push the answer past the first page.
    for (let i = 0; i < 60; i++)
      standin.recordWrite({
        eventName: 'UpdateUserPoolClient',
        time: at(55),
        requestParameters: { userPoolId: OTHER, clientId: `c${i}` },
      });

    const result = await reader().attribute([
      { poolId: POOL, findings: [clientFinding('client-a')], since: SINCE },
    ]);

    const [attribution] = result.get(POOL) ?? [];
    expect(formatAttribution(attribution!)).toBe(
      'by arn:aws:iam::123456789012:user/alice (UpdateUserPoolClient, 2026-12-02T10:05Z, 198.51.100.7, console); also written by arn:aws:iam::123456789012:user/mallory (UpdateUserPoolClient, 2026-12-02T10:41Z)',
    );
    // These records name no resource: the client and pool lookups find nothing, the event name does.
    expect(standin.lookups.map((l) => l.LookupAttributes)).toEqual([
      [{ AttributeKey: 'ResourceName', AttributeValue: 'client-a' }],
      [{ AttributeKey: 'ResourceName', AttributeValue: POOL }],
      [{ AttributeKey: 'EventName', AttributeValue: 'UpdateUserPoolClient' }],
      [{ AttributeKey: 'EventName', AttributeValue: 'UpdateUserPoolClient' }],
    ]);
    for (const lookup of standin.lookups) {
      expect(lookup.MaxResults).toBe(50);
      expect(lookup.StartTime).toBe(Date.parse(SINCE) / 1000);
      expect(lookup.EndTime).toBe(NOW.getTime() / 1000);
    }
  });

  it('finds the author behind a flood of writes on another pool with one resource lookup per finding', async () => {
    // Issue 17 (5): 800 harmless updates of another pool after the change; records name their pool.
    const poolResource = (id: string) => [{ type: 'AWS::Cognito::UserPool', name: id }];
    standin.recordWrite({
      eventName: 'UpdateUserPool',
      time: new Date('2026-12-02T10:10:00Z'),
      user: 'mallory',
      requestParameters: { userPoolId: POOL },
      resources: poolResource(POOL),
    });
    for (let i = 0; i < 800; i++)
      standin.recordWrite({
        eventName: 'UpdateUserPool',
        time: new Date(Date.parse('2026-12-02T10:20:00Z') + i * 1000),
        user: 'automation',
        requestParameters: { userPoolId: OTHER },
        resources: poolResource(OTHER),
      });

    const result = await reader().attribute([
      { poolId: POOL, findings: [poolFinding('UserPoolTags.team')], since: SINCE },
    ]);

    expect(result.get(POOL)?.map(formatAttribution)).toEqual([
      'by arn:aws:iam::123456789012:user/mallory (UpdateUserPool, 2026-12-02T10:10Z, 198.51.100.7, console)',
    ]);
    expect(standin.lookups.map((l) => l.LookupAttributes)).toEqual([
      [{ AttributeKey: 'ResourceName', AttributeValue: POOL }],
    ]);
  });

  it('spends the budget per finding: a finding buried in a flood does not cost another its author', async () => {
    const THIRD = 'us-east-1_Third0001';
    // The buried change: no resource recorded, 120 newer writes of the same event elsewhere.
    standin.recordWrite({
      eventName: 'UpdateUserPool',
      time: new Date('2026-12-02T10:05:00Z'),
      user: 'alice',
      requestParameters: { userPoolId: POOL },
    });
    for (let i = 0; i < 120; i++)
      standin.recordWrite({
        eventName: 'UpdateUserPool',
        time: new Date('2026-12-02T10:30:00Z'),
        requestParameters: { userPoolId: OTHER },
      });
    standin.recordWrite({
      eventName: 'UpdateUserPoolClient',
      time: new Date('2026-12-02T10:40:00Z'),
      user: 'mallory',
      requestParameters: { userPoolId: THIRD, clientId: 'client-t' },
      resources: [{ type: 'AWS::Cognito::UserPoolClient', name: 'client-t' }],
    });
    const buried = poolFinding('UserPoolTags.team');
    const other = { ...clientFinding('client-t'), poolId: THIRD, severity: Severity.MEDIUM };

    const result = await reader({ maxCallsPerFinding: 3 }).attribute([
      { poolId: POOL, findings: [buried], since: SINCE },
      { poolId: THIRD, findings: [other], since: SINCE },
    ]);

    expect(result.get(POOL)).toEqual([
      { kind: 'unknown', reason: 'CloudTrail lookup stopped after 3 calls for this change' },
    ]);
    expect(result.get(THIRD)?.[0]).toMatchObject({
      kind: 'event',
      event: { principalArn: 'arn:aws:iam::123456789012:user/mallory' },
    });
    // Three for the buried finding (its budget), then the other's client and pool lookups.
    expect(standin.lookups.map((l) => l.LookupAttributes)).toEqual([
      [{ AttributeKey: 'ResourceName', AttributeValue: POOL }],
      [{ AttributeKey: 'EventName', AttributeValue: 'UpdateUserPool' }],
      [{ AttributeKey: 'EventName', AttributeValue: 'UpdateUserPool' }],
      [{ AttributeKey: 'ResourceName', AttributeValue: 'client-t' }],
      [{ AttributeKey: 'ResourceName', AttributeValue: THIRD }],
    ]);
  });

  it('attributes identity-pool drift: UpdateIdentityPool and CreateIdentityPool name the identity pool', async () => {
    const identityPoolId = 'us-east-1:0f5c2a8e-1111-4222-8333-444455556666';
    const created = 'us-east-1:7a1b2c3d-1111-4222-8333-444455556666';
    standin.recordWrite({
      eventName: 'UpdateIdentityPool',
      eventSource: 'cognito-identity.amazonaws.com',
      time: new Date('2026-12-02T10:12:00Z'),
      user: 'mallory',
      requestParameters: { identityPoolId, allowUnauthenticatedIdentities: true },
    });
    standin.recordWrite({
      eventName: 'CreateIdentityPool',
      eventSource: 'cognito-identity.amazonaws.com',
      time: new Date('2026-12-02T10:14:00Z'),
      user: 'eve',
      requestParameters: { identityPoolName: 'guest', allowUnauthenticatedIdentities: true },
      responseElements: { identityPoolId: created, identityPoolName: 'guest' },
    });
    const changed: Finding = {
      ...poolFinding('AllowUnauthenticatedIdentities'),
      poolId: identityPoolId,
      poolName: 'mobile',
    };
    const added = {
      kind: 'pool-added',
      poolId: created,
      poolName: 'guest',
      severity: Severity.HIGH,
      rule: 'default',
    } as Finding;

    const result = await reader().attribute([
      { poolId: identityPoolId, findings: [changed], since: SINCE },
      { poolId: created, findings: [added], since: SINCE },
    ]);

    expect(result.get(identityPoolId)?.[0]).toMatchObject({
      kind: 'event',
      event: { eventName: 'UpdateIdentityPool', principalArn: 'arn:aws:iam::123456789012:user/mallory' },
    });
    expect(result.get(created)?.[0]).toMatchObject({
      kind: 'event',
      event: { eventName: 'CreateIdentityPool', principalArn: 'arn:aws:iam::123456789012:user/eve' },
    });
  });

  it('says "author unknown" with the reason when the lookup is denied', async () => {
    standin.failNext({ operation: 'LookupEvents', error: 'AccessDeniedException' });

    const result = await reader().attribute([{ poolId: POOL, findings: [clientFinding('x')], since: SINCE }]);

    expect(result.get(POOL)?.map(formatAttribution)).toEqual([
      'author unknown (CloudTrail lookup failed: AccessDeniedException)',
    ]);
  });

  it('says "author unknown" when throttled past the retries, and stops at the call limit', async () => {
    standin.failNext({
      operation: 'LookupEvents',
      error: 'ThrottlingException',
      message: 'Rate exceeded',
      times: 2,
    });
    const throttled = reader({ maxAttempts: 2 });

    const result = await throttled.attribute([
      { poolId: POOL, findings: [clientFinding('x')], since: SINCE },
    ]);

    expect(result.get(POOL)?.[0]).toEqual({
      kind: 'unknown',
      reason: 'CloudTrail lookup failed: ThrottlingException',
    });
    expect(throttled.stats.throttled).toBe(2);

    for (let i = 0; i < 120; i++)
      standin.recordWrite({
        eventName: 'UpdateUserPool',
        time: new Date('2026-12-02T10:30:00Z'),
        requestParameters: { userPoolId: OTHER },
      });
    standin.resetStats();
    const pool = poolFinding('UserPoolTags.team');
    const bounded = await reader({ maxCallsPerFinding: 2 }).attribute([
      { poolId: POOL, findings: [pool], since: SINCE },
    ]);
    expect(standin.lookups.length).toBe(2);
    expect(bounded.get(POOL)?.[0]).toEqual({
      kind: 'unknown',
      reason: 'CloudTrail lookup stopped after 2 calls for this change',
    });
  });

  it('keeps only the named fields: a secret inside requestParameters reaches no result', async () => {
    standin.recordWrite({
      eventName: 'UpdateIdentityProvider',
      time: new Date('2026-12-02T10:20:00Z'),
      requestParameters: {
        userPoolId: POOL,
        providerName: 'corp-oidc',
        providerDetails: { client_id: 'corp', client_secret: CANARY },
      },
    });
    const raw = await new CloudTrailClient(standin.clientConfig()).send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'UpdateIdentityProvider' }],
      }),
    );
    // The canary is really in what CloudTrail answers...
    expect(JSON.stringify(raw.Events)).toContain(CANARY);
    // A finding of the identity-provider kind (issue 8) is looked up by the IdentityProvider events.
    const finding = { ...poolFinding('x'), kind: 'identity-provider-changed' } as unknown as Finding;

    const result = await reader().attribute([{ poolId: POOL, findings: [finding], since: SINCE }]);

    // ...the event is matched, and the canary is nowhere in what the reader keeps.
    expect(result.get(POOL)?.[0]).toMatchObject({
      kind: 'event',
      event: { eventName: 'UpdateIdentityProvider' },
    });
    expect(JSON.stringify([...result])).not.toContain(CANARY);
  });

  it('paces the lookups to the documented quota (2 per second): a stand-in enforcing it throttles none', async () => {
    const local = await CloudTrailStandin.start();
    try {
      for (let i = 0; i < 4; i++)
        local.recordWrite({
          eventName: 'UpdateUserPoolClient',
          time: new Date('2026-12-02T10:30:00Z'),
          requestParameters: { userPoolId: POOL, clientId: `client-${i}` },
          resources: [{ type: 'AWS::Cognito::UserPoolClient', name: `client-${i}` }],
        });
      const paced = new CloudTrailReader({
        client: new CloudTrailClient(local.clientConfig()),
        quotaShare: 1,
        now: () => NOW,
      });

      const result = await paced.attribute([
        { poolId: POOL, findings: [0, 1, 2, 3].map((i) => clientFinding(`client-${i}`)), since: SINCE },
      ]);

      // client-0, POOL (shared), client-1, client-2, client-3: five calls back to back, none refused.
      expect(local.calls.LookupEvents).toBe(5);
      expect(local.throttled).toBe(0);
      expect(paced.stats).toEqual({ requests: 5, throttled: 0 });
      expect(result.get(POOL)?.every((a) => a.kind === 'event')).toBe(true);
    } finally {
      await local.stop();
    }
  });

  it('checks whether a logging trail covers the region', async () => {
    const local = await CloudTrailStandin.start();
    try {
      const r = new CloudTrailReader({
        client: new CloudTrailClient(local.clientConfig()),
        quotaShare: 0.5,
        now: () => NOW,
      });
      expect(await r.trailStatus('us-east-1')).toEqual({ status: 'inactive' });
      local.addTrail({ name: 'eu-only', homeRegion: 'eu-west-1' });
      local.addTrail({ name: 'stopped', homeRegion: 'us-east-1', logging: false });
      expect(await r.trailStatus('us-east-1')).toEqual({ status: 'inactive' });
      local.addTrail({ name: 'org', homeRegion: 'eu-west-1', multiRegion: true });
      expect(await r.trailStatus('us-east-1')).toEqual({ status: 'active', trails: ['org'] });
      local.failNext({ operation: 'DescribeTrails', error: 'AccessDeniedException' });
      expect(await r.trailStatus('us-east-1')).toEqual({
        status: 'unknown',
        reason: 'DescribeTrails failed: AccessDeniedException',
      });
    } finally {
      await local.stop();
    }
  });
});
