/**
 * Real time in every member account, as deployed: the member stack's forwarding rules (the patterns
 * of the one write-event table, a role that may put events on the central bus only), and the
 * central side (a bus writable only from the organization, rules on it that hand the organization
 * function the event's named fields and its account and region). The handler side is
 * `test/lambda/org/member-events.test.ts`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  eventBridgeSource,
  writeEventTable,
} from '../../lambda/core/write-events.js';
import { type CloudTrailApiEvent, parseApiEvent } from '../../lambda/realtime/api-event.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import type { CognitoDriftDetectorProps } from '../../lib/cognito-drift-detector.js';
import { CognitoDriftStack } from '../../lib/cognito-drift-stack.js';
import { resolveDetectorSettings } from '../../lib/config.js';
import { CognitoDriftMemberRoleStack } from '../../lib/member-role.js';
import { cdkJsonContext } from '../support/cdk-template.js';
import { applyInputTransformer, type InputTransformer } from '../support/event-input.js';

const ORG = 'o-abc123defg';
const TABLE = writeEventTable(CATALOG).events;
const COGNITO_NAMES = TABLE.filter((e) => e.eventSource !== 'wafv2.amazonaws.com').map((e) => e.eventName);
const WAF_NAMES = TABLE.filter((e) => e.eventSource === 'wafv2.amazonaws.com').map((e) => e.eventName);
type Resource = { Type: string; Condition?: string; Properties: Record<string, unknown> };

function nagFindings(app: App, nag: AwsSolutionsChecks): string[] {
  return nag
    .validateScope(app)
    .violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`);
}

describe('the member stack forwards the watched write events to the central bus', () => {
  const app = new App();
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  const stack = new CognitoDriftMemberRoleStack(app, 'MemberSet');
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
  const [forwardingRole] = Object.entries(resources).filter(
    ([, r]) =>
      r.Type === 'AWS::IAM::Role' &&
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('events.amazonaws.com'),
  );

  it('takes the bus ARN and the role region as parameters, both optional for an older stack set', () => {
    template.hasParameter('CentralEventBusArn', { Type: 'String', Default: '' });
    template.hasParameter('MemberRoleRegion', { Type: 'String', Default: '' });
    expect(template.toJSON().Conditions.ForwardEvents).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CentralEventBusArn' }, ''] }],
    });
  });

  it('has one rule per pattern, each naming exactly the events of the write-event table', () => {
    expect(rules).toHaveLength(2);
    const patterns = rules.map((r) => r.Properties.EventPattern as Record<string, Record<string, unknown>>);
    const cognito = patterns.find((p) => !(p.source as unknown as string[]).includes('aws.wafv2'));
    const waf = patterns.find((p) => (p.source as unknown as string[]).includes('aws.wafv2'));
    expect(cognito?.['detail-type']).toEqual([CLOUDTRAIL_DETAIL_TYPE]);
    expect(cognito?.detail?.eventName).toEqual(COGNITO_NAMES);
    expect(cognito?.source).toEqual([
      ...new Set(
        TABLE.filter((e) => e.eventSource !== 'wafv2.amazonaws.com').map((e) =>
          eventBridgeSource(e.eventSource),
        ),
      ),
    ]);
    expect(cognito?.detail?.errorCode).toEqual([{ exists: false }]);
    expect(waf?.detail?.eventName).toEqual(WAF_NAMES);
    expect(JSON.stringify(waf?.detail?.requestParameters)).toContain(':cognito-idp:');
    // The same patterns as the detector's own rules: one table, said once.
    const detector = Template.fromStack(
      new CognitoDriftStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'D', {
        detector: { alertEmails: ['a@example.com'] },
      }),
    );
    const own = Object.values(detector.findResources('AWS::Events::Rule'))
      .filter((r) => r.Properties.EventPattern)
      .map((r) => JSON.stringify(r.Properties.EventPattern));
    expect(patterns.map((p) => JSON.stringify(p)).sort()).toEqual(own.sort());
  });

  it('targets the central bus with a role EventBridge assumes, allowed events:PutEvents on that bus only', () => {
    expect(forwardingRole).toBeDefined();
    const [roleId, role] = forwardingRole as [string, Resource];
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([
        { Arn: { Ref: 'CentralEventBusArn' }, Id: 'Target0', RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } },
      ]);
      expect(rule.Condition).toBe('ForwardEvents');
    }
    expect(role.Condition).toBe('ForwardEvents');
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    const policies = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Condition).toBe('ForwardEvents');
    const document = policies[0]?.Properties.PolicyDocument as { Statement: unknown[] } | undefined;
    expect(document?.Statement).toEqual([
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: { Ref: 'CentralEventBusArn' } },
    ]);
  });

  it('creates the member role (global) only in MemberRoleRegion, or everywhere when it is empty', () => {
    const memberRole = Object.values(resources).find(
      (r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'CognitoDriftMemberRole',
    );
    expect(memberRole?.Condition).toBe('CreateMemberRole');
    expect(template.toJSON().Conditions.CreateMemberRole).toEqual({
      'Fn::Or': [
        { 'Fn::Equals': [{ Ref: 'MemberRoleRegion' }, ''] },
        { 'Fn::Equals': [{ Ref: 'MemberRoleRegion' }, { Ref: 'AWS::Region' }] },
      ],
    });
    // Every resource is under one of the two conditions: a forwarding-only stack creates no role.
    expect(Object.values(resources).filter((r) => !r.Condition)).toEqual([]);
  });

  it('is cdk-nag clean', () => {
    expect(nagFindings(app, nag)).toEqual([]);
  });
});

/** A detector deployment, synthesized without bundling (the wiring, not the code). */
function synthDetector(detector: Partial<CognitoDriftDetectorProps>) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new CognitoDriftStack(app, 'CognitoDrift', {
    detector: { alertEmails: ['ops@example.com'], ...detector },
  });
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  return { app, nag, stack, template: Template.fromStack(stack) };
}

describe('the central side: a bus only the organization may write to, and rules to the organization function', () => {
  const s = synthDetector({ accounts: 'organization', regions: 'all-enabled', organizationId: ORG });
  const busId = s.stack.getLogicalId(s.stack.detector.memberEventBus?.node.defaultChild as never);
  const fnId = s.stack.getLogicalId(s.stack.detector.organizationFunction?.node.defaultChild as never);

  it('limits the bus policy to the organization id (aws:PrincipalOrgID), PutEvents on this bus only', () => {
    s.template.resourceCountIs('AWS::Events::EventBus', 1);
    s.template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: busId },
      Statement: {
        Sid: 'cdk-OrganizationMembersForward',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    });
    s.template.hasOutput('MemberEventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
  });

  it('puts the two rules on that bus, invoking the organization function (the member role is its to assume)', () => {
    const onBus = Object.values(s.template.findResources('AWS::Events::Rule')).filter(
      (r) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: busId }),
    );
    expect(onBus).toHaveLength(2);
    for (const rule of onBus) expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
  });

  it("hands the function the event's account and region, and none of requestParameters' secrets", () => {
    const transformers = Object.values(s.template.findResources('AWS::Events::Rule'))
      .filter((r) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: busId }))
      .map((r) => r.Properties.Targets[0].InputTransformer as InputTransformer);
    const raw = {
      version: '0',
      id: 'e1',
      'detail-type': CLOUDTRAIL_DETAIL_TYPE,
      source: 'aws.cognito-idp',
      account: '111122223333',
      region: 'eu-west-1',
      time: '2026-12-05T10:00:00Z',
      resources: [],
      detail: {
        eventSource: 'cognito-idp.amazonaws.com',
        eventName: 'UpdateIdentityProvider',
        eventID: 'ev-1',
        eventTime: '2026-12-05T09:59:58Z',
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', userName: 'mallory' },
        requestParameters: {
          userPoolId: 'eu-west-1_AbCdEf123',
          providerName: 'Corp',
          providerDetails: { client_secret: 'CANARY-forwarded-secret-77a1' },
        },
      },
    };
    for (const transformer of transformers) {
      const input = applyInputTransformer(transformer, raw) as unknown as CloudTrailApiEvent;
      expect(input).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
      expect(parseApiEvent(input)?.userPoolIds).toEqual(['eu-west-1_AbCdEf123']);
      expect(JSON.stringify(input)).not.toContain('CANARY');
    }
  });

  it('gives the organization function no new permission, and stays cdk-nag clean', () => {
    // EventBridge invokes the function through its resource policy; no role is granted the bus.
    expect(JSON.stringify(s.template.findResources('AWS::IAM::Policy'))).not.toContain(busId);
    expect(nagFindings(s.app, s.nag)).toEqual([]);
  });

  it('with accounts=self and several regions: the bus has no policy (its own account needs none)', () => {
    const own = synthDetector({ regions: ['eu-west-1', 'us-east-1'] });
    own.template.resourceCountIs('AWS::Events::EventBus', 1);
    own.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('a single-target deployment has no member bus, no output and needs no organization id', () => {
    const single = synthDetector({});
    single.template.resourceCountIs('AWS::Events::EventBus', 0);
    expect(Object.keys(single.template.toJSON().Outputs)).not.toContain('MemberEventBusArn');
  });

  it('with realtime=false: no bus and no organization id needed', () => {
    const off = synthDetector({ accounts: 'organization', realtime: false });
    off.template.resourceCountIs('AWS::Events::EventBus', 0);
  });

  it('organization mode with real time but no organization id: synthesizes as before, without the member bus, and warns', () => {
    const before = synthDetector({ accounts: '111122223333' });
    before.template.resourceCountIs('AWS::Events::EventBus', 0);
    const warnings = Annotations.fromStack(before.stack).findWarning(
      '*',
      Match.stringLikeRegexp('organizationId=o-'),
    );
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.entry.data)).toMatch(/only this account and region/);
  });

  it('refuses a malformed organization id, naming the rule', () => {
    expect(() =>
      resolveDetectorSettings({
        alertEmails: ['ops@example.com'],
        accounts: 'organization',
        organizationId: 'o-x',
      }),
    ).toThrow(/organizationId.*an organization id: o- and 10 to 32 of a-z 0-9/);
  });
});
