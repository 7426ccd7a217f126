import { describe, expect, it } from 'vitest';
import {
  escapeControl,
  formatAttribution,
  lookupNamesFor,
  matchFindings,
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
  it('matches the latest event of the same pool and client, and says why when nothing matches', () => {
    const older = toTrailEvent(record({ eventID: 'old', eventTime: '2026-12-02T10:00:00Z' }), TABLE)!;
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

    const result = matchFindings(
      [clientChange, poolChange],
      [older, otherClient, newer],
      'none found',
      TABLE,
    );

    expect(result[0]).toMatchObject({ kind: 'event', event: { eventId: 'new' } });
    expect(result[1]).toEqual({ kind: 'unknown', reason: 'none found' });
    expect(lookupNamesFor([clientChange, poolChange], TABLE)).toEqual([
      'SetUserPoolMfaConfig',
      'UpdateUserPool',
      'UpdateUserPoolClient',
    ]);
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
      'UpdateIdentityPool',
      'DeleteIdentityPool',
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
