import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  CognitoDriftMemberRole,
  CognitoDriftMemberRoleStack,
  MEMBER_READ_ACTIONS,
} from '../../lib/member-role.js';
import { organizationScanDefinition } from '../../lib/organization-scan.js';
import { iamActionsCalledFrom } from '../support/code-actions.js';

type State = Record<string, unknown> & { Type: string };

function definition(distributed: boolean): { States: Record<string, State>; StartAt: string } {
  const stack = new Stack(new App(), 'S');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(
      organizationScanDefinition(stack, {
        fn,
        maxConcurrentTargets: 7,
        maxInvocationsPerTarget: 20,
        distributed,
        bucketName: 'drift-bucket',
      }),
    ),
  });
  const machine = Object.values(
    Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'),
  )[0];
  if (!machine) throw new Error('no state machine');
  const parts = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(
    parts
      .map((p) =>
        typeof p === 'string' ? p : (p as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : 'TOKEN',
      )
      .join(''),
  );
}

describe('the organization state machine', () => {
  it('lists, maps over the targets with bounded concurrency, and aggregates once', () => {
    const def = definition(true);
    expect(def.StartAt).toBe('ListTargets');
    const map = def.States.ScanTargets as State & {
      ItemProcessor: { ProcessorConfig: { Mode: string }; StartAt: string; States: Record<string, State> };
    };
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.MaxConcurrency).toBe(7);
    // The items come from S3 (the list step's items.json), and the Map keeps no results: the
    // execution's state stays under the 256 KiB payload limit whatever the number of targets.
    expect(map.ItemsPath).toBeUndefined();
    expect(map.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.listing.bucket', 'Key.$': '$.listing.itemsKey' },
    });
    expect(map.ResultPath).toBeNull();
    expect(map.Next).toBe('Aggregate');
    expect((def.States.ListTargets as unknown as { Parameters: unknown }).Parameters).toEqual({
      phase: 'list',
      itemsInState: false,
    });
    expect(
      (def.States.Aggregate as unknown as { Parameters: Record<string, unknown> }).Parameters,
    ).toMatchObject({
      phase: 'aggregate',
      'orgRunId.$': '$.listing.orgRunId',
    });
  });

  it('loops each target on its own until done, and isolates a failing target', () => {
    const states = (
      definition(true).States.ScanTargets as unknown as {
        ItemProcessor: { StartAt: string; States: Record<string, State> };
      }
    ).ItemProcessor;
    expect(states.StartAt).toBe('ScanTarget');
    const scan = states.States.ScanTarget as State & { Catch: { Next: string }[]; Next: string };
    expect(scan.Catch[0]?.Next).toBe('TargetFailed');
    const choice = states.States[scan.Next] as State & { Choices: { Next: string }[]; Default: string };
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices.map((c) => c.Next)).toEqual(['TargetDone', 'ScanAgain']);
    expect(choice.Default).toBe('TargetTooLong');
    expect(states.States.ScanAgain?.Next).toBe('ScanTarget');
  });

  it('uses an inline Map when told the targets are few', () => {
    const map = definition(false).States.ScanTargets as State & {
      ItemProcessor: { ProcessorConfig: { Mode: string } };
    };
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
  });
});

describe('CognitoDriftMemberRole', () => {
  const detectorRoleArn = 'arn:aws:iam::123456789012:role/CognitoDrift-FunctionRole';

  it('trusts only the detector role, and requires the external id', () => {
    const stack = new Stack(new App(), 'Member');
    new CognitoDriftMemberRole(stack, 'Role', { detectorRoleArn, externalId: 'ext-1' });
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0];
    const statement = role?.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': detectorRoleArn },
      StringEquals: { 'sts:ExternalId': 'ext-1' },
    });
    expect(JSON.stringify(statement.Principal)).toContain('123456789012');
    expect(role?.Properties.RoleName).toBe('CognitoDriftMemberRole');
  });

  it('refuses to be created without an external id or an organization id', () => {
    const stack = new Stack(new App(), 'Member');
    expect(() => new CognitoDriftMemberRole(stack, 'Role', { detectorRoleArn })).toThrow(
      /externalId or organizationId/,
    );
  });

  it('the StackSet stack requires aws:PrincipalOrgID from a parameter', () => {
    const template = Template.fromStack(new CognitoDriftMemberRoleStack(new App(), 'MemberSet'));
    template.hasParameter('DetectorRoleArn', { Type: 'String' });
    template.hasParameter('OrganizationId', { Type: 'String' });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toEqual({
      'aws:PrincipalOrgID': { Ref: 'OrganizationId' },
    });
  });

  it('the StackSet stack names the role as the detector does, and needs no CDK bootstrap in members', () => {
    const template = Template.fromStack(
      new CognitoDriftMemberRoleStack(new App(), 'MemberSet', { roleName: 'DriftReader' }),
    );
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role?.Properties.RoleName).toBe('DriftReader');
    expect(template.toJSON().Parameters?.BootstrapVersion).toBeUndefined();
    expect(template.toJSON().Rules?.CheckBootstrapVersion).toBeUndefined();
  });

  it('grants exactly the read actions the scan makes, derived from the bundled code', async () => {
    const called = await iamActionsCalledFrom('lambda/org-handler.ts');
    // What a target's scan signs with the member role: its reads, and who changed what (the trail
    // status check is of the detector's own account only).
    const reads = [...called]
      .filter((a) =>
        /^(cognito-idp|cognito-identity|wafv2|lambda|iam|kms|account):|^cloudtrail:LookupEvents$/.test(a),
      )
      .sort();
    expect([...MEMBER_READ_ACTIONS].sort()).toEqual(reads);
    // And the function's own calls beyond the member role's: nothing that writes to Cognito.
    expect(
      [...called].filter((a) => a.startsWith('cognito-idp:') && !/:(List|Describe|Get)/.test(a)),
    ).toEqual([]);
    expect(called.has('sts:AssumeRole')).toBe(true);
    expect(called.has('organizations:ListAccounts')).toBe(true);
  });
});
