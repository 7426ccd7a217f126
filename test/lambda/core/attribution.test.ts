import { describe, expect, it } from 'vitest';
import {
  escapeControl,
  eventNamesFor,
  formatAttribution,
  lookupStart,
  matchFindings,
  reportAttribution,
  shortenUserAgent,
  toTrailEvent,
} from '../../../lambda/core/attribution.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  eventNamesBySource,
  writeEventTable,
} from '../../../lambda/core/write-events.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';

const TABLE = writeEventTable(CATALOG);
const WRITE_EVENTS = TABLE.events;

const POOL = 'eu-west-1_Qm4Tx81Zp';

function record(overrides: Record<string, unknown> = {}) {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
      sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::123456789012:role/Admin' } },
    },
    eventTime: '2026-12-02T10:41:07Z',
    eventSource: 'cognito-idp.amazonaws.com',
    eventName: 'UpdateUserPoolClient',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1',
    requestParameters: {
      userPoolId: POOL,
      clientId: 'client-a',
      clientName: 'web',
      callbackURLs: ['https://x'],
    },
    responseElements: null,
    eventID: 'e-1',
    ...overrides,
  };
}

const clientChange: Finding = {
  kind: 'field-changed',
  poolId: POOL,
  poolName: 'customers',
  clientId: 'client-a',
  clientName: 'web',
  path: 'CallbackURLs',
  before: null,
  after: 'https://x',
  severity: Severity.HIGH,
  rule: 'new-redirect-domain',
};

describe('toTrailEvent', () => {
  it('keeps only the named fields of a record', () => {
    const event = toTrailEvent(record(), TABLE);

    expect(event).toEqual({
      eventId: 'e-1',
      eventName: 'UpdateUserPoolClient',
      eventSource: 'cognito-idp.amazonaws.com',
      eventTime: '2026-12-02T10:41:07Z',
      principalArn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
      principalName: 'alice',
      sourceIp: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1',
      resources: { userPoolId: POOL, clientId: 'client-a' },
    });
  });

  it('ignores failed calls, read events and events it does not watch', () => {
    expect(toTrailEvent(record({ errorCode: 'AccessDenied' }), TABLE)).toBeUndefined();
    expect(toTrailEvent(record({ eventName: 'DescribeUserPool' }), TABLE)).toBeUndefined();
    expect(toTrailEvent({ eventName: 'UpdateUserPool' }, TABLE)).toBeUndefined();
  });

  it('finds the pool of a web ACL association in its resource ARN, and of a new pool in the response', () => {
    const waf = toTrailEvent(
      record({
        eventSource: 'wafv2.amazonaws.com',
        eventName: 'AssociateWebACL',
        requestParameters: {
          resourceArn: `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL}`,
          webACLArn: 'arn:aws:wafv2:...',
        },
      }),
      TABLE,
    );
    const created = toTrailEvent(
      record({
        eventName: 'CreateUserPool',
        requestParameters: { poolName: 'x' },
        responseElements: { userPool: { id: POOL } },
      }),
      TABLE,
    );

    expect(waf?.resources).toEqual({ userPoolId: POOL });
    expect(created?.resources).toEqual({ userPoolId: POOL });
  });
});

describe('matchFindings', () => {
  const by = (user: string, overrides: Record<string, unknown>) =>
    toTrailEvent(
      record({
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::123456789012:user/${user}`, userName: user },
        ...overrides,
      }),
      TABLE,
    )!;

  it('matches events of the same pool and client, and says why when nothing matches', () => {
    const newer = toTrailEvent(record({ eventID: 'new' }), TABLE)!;
    const otherClient = toTrailEvent(
      record({
        eventID: 'other',
        eventTime: '2026-12-02T10:50:00Z',
        requestParameters: { userPoolId: POOL, clientId: 'b' },
      }),
      TABLE,
    )!;
    const poolChange: Finding = {
      ...clientChange,
      clientId: undefined,
      clientName: undefined,
      path: 'MfaConfiguration',
    };

    const result = matchFindings([clientChange, poolChange], [otherClient, newer], 'none found', TABLE);

    expect(result[0]).toEqual({ kind: 'event', event: newer });
    expect(result[1]).toEqual({ kind: 'unknown', reason: 'none found' });
  });

  it('names every principal that wrote, the earliest after the window start first, each once', () => {
    // Issue 17 (3): one role adds a callback URL; 35 minutes later another updates the same client.
    const first = by('ci-deployer', { eventID: 'a1', eventTime: '2026-12-02T10:05:00Z' });
    const second = by('ops-admin', { eventID: 'b1', eventTime: '2026-12-02T10:40:00Z' });
    const againFirst = by('ci-deployer', { eventID: 'a2', eventTime: '2026-12-02T10:50:00Z' });

    const [attribution] = matchFindings([clientChange], [againFirst, second, first], 'none', TABLE);

    expect(attribution).toEqual({ kind: 'event', event: first, others: [second] });
    expect(formatAttribution(attribution!)).toBe(
      'by arn:aws:iam::123456789012:user/ci-deployer (UpdateUserPoolClient, 2026-12-02T10:05Z, 198.51.100.7, aws-cli/2.15.0); also written by arn:aws:iam::123456789012:user/ops-admin (UpdateUserPoolClient, 2026-12-02T10:40Z)',
    );
  });

  it('puts the writer whose event is the specific one for the change first, whatever the order in time', () => {
    const mfa: Finding = {
      ...clientChange,
      clientId: undefined,
      clientName: undefined,
      path: 'MfaConfiguration',
    };
    const general = by('early', {
      eventID: 'u',
      eventName: 'UpdateUserPool',
      eventTime: '2026-12-02T10:01:00Z',
      requestParameters: { userPoolId: POOL },
    });
    const specific = by('late', {
      eventID: 'm',
      eventName: 'SetUserPoolMfaConfig',
      eventTime: '2026-12-02T10:30:00Z',
      requestParameters: { userPoolId: POOL },
    });

    const [attribution] = matchFindings([mfa], [general, specific], 'none', TABLE);

    expect(attribution).toEqual({ kind: 'event', event: specific, others: [general] });
    expect(reportAttribution(attribution!)).toMatchObject({
      eventId: 'm',
      otherWriters: [{ eventId: 'u', principalArn: 'arn:aws:iam::123456789012:user/early' }],
    });
  });

  it('caps the writers in the line, counts the rest, and escapes control characters in each', () => {
    const writers = Array.from({ length: 6 }, (_, i) =>
      by(i === 2 ? 'evil\nFAKE LINE' : `user${i}`, {
        eventID: `e${i}`,
        eventTime: `2026-12-02T10:0${i}:00Z`,
      }),
    );

    const line = formatAttribution(matchFindings([clientChange], writers, 'none', TABLE)[0]!);

    expect(line).toContain('user/user0 (UpdateUserPoolClient, 2026-12-02T10:00Z, ');
    expect(line).toContain(
      'also written by arn:aws:iam::123456789012:user/user1 (UpdateUserPoolClient, 2026-12-02T10:01Z)',
    );
    expect(line).toContain('user/evil\\x0aFAKE LINE');
    expect(line).toContain('user/user3 (UpdateUserPoolClient, 2026-12-02T10:03Z) and 2 more');
    expect(line).not.toContain('user4');
    expect(line).not.toMatch(/\n/);
  });

  it('attributes an identity pool created or deleted to CreateIdentityPool / DeleteIdentityPool', () => {
    const identityPoolId = 'eu-west-1:4c1b5f7e-0000-4000-8000-00000000abcd';
    const created = toTrailEvent(
      record({
        eventSource: 'cognito-identity.amazonaws.com',
        eventName: 'CreateIdentityPool',
        requestParameters: { identityPoolName: 'mobile', allowUnauthenticatedIdentities: true },
        responseElements: { identityPoolId, identityPoolName: 'mobile' },
      }),
      TABLE,
    );
    const deleted = toTrailEvent(
      record({
        eventSource: 'cognito-identity.amazonaws.com',
        eventName: 'DeleteIdentityPool',
        eventID: 'e-2',
        requestParameters: { identityPoolId },
      }),
      TABLE,
    );
    const added: Finding = {
      kind: 'pool-added',
      poolId: identityPoolId,
      poolName: 'mobile',
      severity: Severity.HIGH,
      rule: 'default',
    } as Finding;
    const removed: Finding = { ...added, kind: 'pool-removed' } as Finding;

    expect(created?.resources).toEqual({ identityPoolId });
    expect(eventNamesFor(added, TABLE)).toEqual(['CreateIdentityPool']);
    expect(eventNamesFor(removed, TABLE)).toEqual(['DeleteIdentityPool']);
    expect(matchFindings([added, removed], [created!, deleted!], 'none', TABLE)).toEqual([
      { kind: 'event', event: created },
      { kind: 'event', event: deleted },
    ]);
    // A user pool's creation is still CreateUserPool.
    expect(eventNamesFor({ ...added, poolId: POOL } as Finding, TABLE)).toEqual(['CreateUserPool']);
  });
});

describe('lookupStart', () => {
  const at = new Date('2026-12-02T12:00:00.000Z');
  const windowMs = 2 * 3_600_000;

  it.each([
    ['the window before the run', {}, '2026-12-02T10:00:00.000Z'],
    [
      'no earlier than the baseline approval',
      { baselineApprovedAt: '2026-12-02T11:15:00.000Z' },
      '2026-12-02T11:15:00.000Z',
    ],
    [
      'the window, when the baseline is older',
      { baselineApprovedAt: '2026-11-30T08:00:00.000Z' },
      '2026-12-02T10:00:00.000Z',
    ],
    [
      'a window before the first alert, for a reminder',
      { alertedSince: '2026-12-01T09:00:00.000Z' },
      '2026-12-01T07:00:00.000Z',
    ],
  ] as const)('starts at %s', (_case, extra, expected) => {
    expect(lookupStart({ at, windowMs, ...extra })).toBe(expected);
  });
});

describe('formatAttribution', () => {
  it('prints principal, event, minute, address and a short user agent', () => {
    const event = toTrailEvent(record(), TABLE)!;

    expect(formatAttribution({ kind: 'event', event })).toBe(
      'by arn:aws:sts::123456789012:assumed-role/Admin/alice (UpdateUserPoolClient, 2026-12-02T10:41Z, 198.51.100.7, aws-cli/2.15.0)',
    );
    expect(formatAttribution({ kind: 'unknown', reason: 'CloudTrail lookup failed: AccessDenied' })).toBe(
      'author unknown (CloudTrail lookup failed: AccessDenied)',
    );
  });

  it('escapes control characters, so a crafted user agent cannot forge alert lines', () => {
    const event = toTrailEvent(record({ userAgent: 'evil\n[HIGH] fake line\u0007' }), TABLE)!;

    const line = formatAttribution({ kind: 'event', event });

    expect(line).not.toContain('\n');
    expect(line).not.toContain('\u0007');
    expect(line).toContain('evil\\x0a[HIGH] fake line\\x07');
    expect(escapeControl('a\u2028b')).toBe('a\\u2028b');
  });

  it('shortens user agents', () => {
    expect(shortenUserAgent('console.amazonaws.com')).toBe('console');
    expect(shortenUserAgent('Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0')).toBe('Boto3/1.34.2');
    expect(shortenUserAgent('APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io)')).toBe(
      'Terraform/1.9.5',
    );
    expect(shortenUserAgent('x'.repeat(60))).toBe(`${'x'.repeat(37)}...`);
    expect(shortenUserAgent(undefined)).toBe('unknown client');
  });
});

describe('the write-event table', () => {
  it('covers the events of the issue, by EventBridge source', () => {
    const names = eventNamesBySource(TABLE);

    expect(CLOUDTRAIL_DETAIL_TYPE).toBe('AWS API Call via CloudTrail');
    expect([...names.keys()].sort()).toEqual(['aws.cognito-identity', 'aws.cognito-idp', 'aws.wafv2']);
    expect(names.get('aws.wafv2')).toEqual(['AssociateWebACL', 'DisassociateWebACL']);
    expect(names.get('aws.cognito-identity')).toEqual([
      'CreateIdentityPool',
      'DeleteIdentityPool',
      'UpdateIdentityPool',
      'SetIdentityPoolRoles',
    ]);
    for (const name of [
      'UpdateUserPool',
      'UpdateUserPoolClient',
      'CreateUserPoolClient',
      'DeleteUserPoolClient',
      'AddUserPoolClientSecret',
      'DeleteUserPoolClientSecret',
      'SetUserPoolMfaConfig',
      'SetRiskConfiguration',
      'UpdateIdentityProvider',
      'CreateGroup',
      'DeleteResourceServer',
      'UpdateUserPoolDomain',
      'SetUICustomization',
      'SetLogDeliveryConfiguration',
    ])
      expect(names.get('aws.cognito-idp')).toContain(name);
    expect(new Set(WRITE_EVENTS.map((e) => e.eventName)).size).toBe(WRITE_EVENTS.length);
  });
});
