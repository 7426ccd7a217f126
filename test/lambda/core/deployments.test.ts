import { describe, expect, it } from 'vitest';
import { type Attribution, type TrailEvent, toTrailEvent } from '../../../lambda/core/attribution.js';
import { renderDeployedChanges } from '../../../lambda/core/deployed-notice.js';
import {
  deploymentApproval,
  deploymentOf,
  formatOrigin,
  labelDrift,
  OUTSIDE_STACK_RULE,
  originOf,
  poolStack,
  splitDeployed,
  stackOf,
} from '../../../lambda/core/deployments.js';
import type { PoolDrift, RunContext } from '../../../lambda/core/render.js';
import { type Finding, Severity } from '../../../lambda/core/types.js';
import { writeEventTable } from '../../../lambda/core/write-events.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import { POOL_ID, POOL_NAME } from '../../fixtures/cognito-responses.js';
import { poolSnapshot } from '../../fixtures/snapshots.js';

const STACK = 'auth-prod';
const CFN = 'cloudformation.amazonaws.com';

function event(overrides: Partial<TrailEvent> = {}): TrailEvent {
  return {
    eventId: 'ev-1',
    eventName: 'UpdateUserPool',
    eventSource: 'cognito-idp.amazonaws.com',
    eventTime: '2026-12-01T10:05:00Z',
    principalArn: 'arn:aws:sts::123456789012:assumed-role/cfn-exec/AWSCloudFormation',
    userAgent: CFN,
    invokedBy: CFN,
    resources: { userPoolId: POOL_ID },
    ...overrides,
  };
}
const console_ = (id = 'ev-9') =>
  event({
    eventId: id,
    principalArn: 'arn:aws:iam::123456789012:user/mallory',
    invokedBy: undefined,
    userAgent: 'console.amazonaws.com',
  });
const byEvent = (e: TrailEvent, others?: TrailEvent[]): Attribution =>
  others ? { kind: 'event', event: e, others } : { kind: 'event', event: e };

function finding(path: string, severity = Severity.LOW): Finding {
  return {
    kind: 'field-changed',
    poolId: POOL_ID,
    poolName: POOL_NAME,
    path,
    before: 'a',
    after: 'b',
    severity,
    rule: 'cosmetic',
  } as Finding;
}

function drift(findings: Finding[], attributions?: Attribution[]): PoolDrift {
  return {
    poolId: POOL_ID,
    poolName: POOL_NAME,
    findings,
    status: 'new',
    ...(attributions ? { attributions } : {}),
  };
}

describe('stackOf', () => {
  it.each([
    ['a user pool', { UserPoolTags: { 'aws:cloudformation:stack-name': STACK, team: 'x' } }, STACK],
    ['an identity pool', { IdentityPoolTags: { 'aws:cloudformation:stack-name': STACK } }, STACK],
    ['a pool without the tag', { UserPoolTags: { team: 'x' } }, undefined],
    ['a pool without tags', {}, undefined],
    ['a tag that is not text', { UserPoolTags: { 'aws:cloudformation:stack-name': 7 } }, undefined],
  ])('reads the stack-name tag of %s', (_name, config, expected) => {
    expect(stackOf(poolSnapshot(config))).toBe(expected);
  });

  it("takes a deleted pool's stack from its baseline, and null when neither names one", () => {
    const tagged = poolSnapshot({ UserPoolTags: { 'aws:cloudformation:stack-name': STACK } });
    expect(poolStack(null, tagged)).toBe(STACK);
    expect(poolStack(poolSnapshot({}), poolSnapshot({}))).toBeNull();
  });
});

describe('originOf', () => {
  it.each<[string, Attribution | undefined, string | null | undefined, unknown]>([
    ['a CloudFormation call in a stack pool', byEvent(event()), STACK, { kind: 'deployed', stack: STACK }],
    ['a CloudFormation call in a pool with no stack', byEvent(event()), null, { kind: 'deployed-no-stack' }],
    ['a console call in a stack pool', byEvent(console_()), STACK, { kind: 'outside-stack', stack: STACK }],
    ['a console call in a pool with no stack', byEvent(console_()), null, { kind: 'no-stack' }],
    [
      'CloudFormation and a console user both writing',
      byEvent(event(), [console_()]),
      STACK,
      { kind: 'outside-stack', stack: STACK },
    ],
    [
      'a caller claiming the CloudFormation user agent',
      byEvent(event({ invokedBy: undefined })),
      STACK,
      { kind: 'outside-stack', stack: STACK },
    ],
    ['an unknown author', { kind: 'unknown', reason: 'CloudTrail lookup failed' }, STACK, undefined],
    ['no attribution', undefined, STACK, undefined],
    ['a run document of an earlier release (stack not known)', byEvent(event()), undefined, undefined],
  ])('%s', (_name, attribution, stack, expected) => {
    const origin = originOf(attribution, stack);
    if (expected === undefined) expect(origin).toBeUndefined();
    else expect(origin).toMatchObject(expected as object);
  });
});

describe('labelDrift', () => {
  it('raises a change made outside its stack to HIGH, naming the rule, and keeps a deployed one as it was', () => {
    const labelled = labelDrift(
      drift([finding('A'), finding('B', Severity.MEDIUM)], [byEvent(console_()), byEvent(event())]),
      STACK,
    );

    expect(labelled.findings.map((f) => [f.severity, f.rule, f.origin?.kind])).toEqual([
      [Severity.HIGH, OUTSIDE_STACK_RULE, 'outside-stack'],
      [Severity.MEDIUM, 'cosmetic', 'deployed'],
    ]);
  });

  it('changes nothing without attributions or when the stack is not known', () => {
    const unattributed = drift([finding('A')]);
    const old = drift([finding('A')], [byEvent(console_())]);

    expect(labelDrift(unattributed, STACK)).toBe(unattributed);
    expect(labelDrift(old, undefined)).toBe(old);
  });
});

describe('deploymentOf and splitDeployed', () => {
  const deployed = labelDrift(
    drift(
      [finding('A'), finding('B')],
      [byEvent(event()), byEvent(event({ eventId: 'ev-2', eventTime: '2026-12-01T10:06:00Z' }))],
    ),
    STACK,
  );
  const mixed = labelDrift(
    drift([finding('A'), finding('B')], [byEvent(event()), { kind: 'unknown', reason: 'no event' }]),
    STACK,
  );

  it("names the deployment's latest call when the stack deployed every change", () => {
    expect(deploymentOf(deployed)).toMatchObject({ stack: STACK, eventId: 'ev-2' });
  });

  it('is undefined when any change has an unknown author, or none was deployed', () => {
    expect(deploymentOf(mixed)).toBeUndefined();
    expect(deploymentOf(drift([finding('A')]))).toBeUndefined();
  });

  it('alerts deployed drift that made a setting risky (posture), whatever the setting', () => {
    const risky = { ...deployed, posture: [{ control: 'Cognito.5' }] };

    expect(splitDeployed([risky], 'approve')).toEqual({ alerted: [risky], deployed: [] });
    expect(splitDeployed([risky], 'notify')).toEqual({ alerted: [risky], deployed: [] });
  });

  it('alerts everything with alert, and sets aside only wholly deployed drift otherwise', () => {
    expect(splitDeployed([deployed, mixed], 'alert')).toEqual({ alerted: [deployed, mixed], deployed: [] });
    expect(splitDeployed([deployed, mixed], 'approve')).toEqual({ alerted: [mixed], deployed: [deployed] });
  });
});

describe('rendering', () => {
  const ctx: RunContext = {
    accountId: '123456789012',
    region: 'us-east-1',
    runId: 'run-1',
    at: '2026-12-01T10:10:00.000Z',
    approveCommand: (poolId) => `npx cognito-drift approve --pool ${poolId}`,
    catalog: CATALOG,
  };

  it('escapes a stack name with control characters in the label and the notice', () => {
    const hostile = 'prod\n[LOW] nothing to see\u001b[2J';
    const origin = originOf(byEvent(event()), hostile);
    if (!origin) throw new Error('expected an origin');

    expect(formatOrigin(origin)).not.toContain('\n');
    expect(formatOrigin(origin)).not.toContain('\u001b');
    const notice = renderDeployedChanges(ctx, [
      labelDrift(drift([finding('A')], [byEvent(event())]), hostile),
    ]);
    expect(notice.body).toContain('prod\\x0a[LOW] nothing to see\\x1b[2J');
    expect(notice.body.split('\n').some((line) => line.startsWith('[LOW] nothing'))).toBe(false);
  });

  it('gives the LOW notice an SNS-safe subject, however many pools', () => {
    const pools = Array.from({ length: 500 }, (_, i) => ({
      ...labelDrift(drift([finding('A')], [byEvent(event())]), STACK),
      poolId: `us-east-1_P${i}`,
    }));

    const notice = renderDeployedChanges(ctx, pools);

    expect(notice.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(notice.subject).toContain('LOW: 500 changes in 500 pools deployed by CloudFormation');
    expect(notice.attributes).toMatchObject({ kind: 'deployed', severity: 'LOW' });
    expect(Buffer.byteLength(notice.body)).toBeLessThan(256 * 1024);
  });

  it('writes the approval as the plain approvedBy and reason strings every release reads', () => {
    const deployment = deploymentOf(labelDrift(drift([finding('A')], [byEvent(event())]), STACK));
    if (!deployment) throw new Error('expected a deployment');

    expect(deploymentApproval(deployment, 1)).toEqual({
      approvedBy: `CloudFormation stack ${STACK} (CloudTrail event ev-1)`,
      reason: `1 change deployed by CloudFormation stack ${STACK} (UpdateUserPool at 2026-12-01T10:05:00Z as arn:aws:sts::123456789012:assumed-role/cfn-exec/AWSCloudFormation), recorded automatically (deployedChanges=approve)`,
    });
  });
});

describe('toTrailEvent', () => {
  it("keeps the record's invokedBy, which AWS sets, beside the caller's user agent", () => {
    const record = {
      eventID: 'ev-1',
      eventName: 'UpdateUserPool',
      eventSource: 'cognito-idp.amazonaws.com',
      eventTime: '2026-12-01T10:05:00Z',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/cfn-exec/AWSCloudFormation',
        invokedBy: CFN,
        sessionContext: { sessionIssuer: { userName: 'cfn-exec' } },
      },
      sourceIPAddress: CFN,
      userAgent: CFN,
      requestParameters: { userPoolId: POOL_ID },
    };

    expect(toTrailEvent(record, writeEventTable(CATALOG))).toMatchObject({ invokedBy: CFN, userAgent: CFN });
  });
});
