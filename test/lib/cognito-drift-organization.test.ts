/**
 * The construct in organization mode (any `accounts` other than `self`, or `regions` other than
 * `stack`): the organization function and state machine, what the schedule starts, the alarms, the
 * grants (derived from the bundled `lambda/org-handler.ts`) and cdk-nag. Default mode is
 * `cognito-drift-stack.test.ts`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CognitoDriftDetectorProps } from '../../lib/cognito-drift-detector.js';
import { CognitoDriftStack } from '../../lib/cognito-drift-stack.js';
import { MEMBER_READ_ACTIONS } from '../../lib/member-role.js';
import { DISTRIBUTED_MAP_THRESHOLD } from '../../lib/organization-scan.js';
import { asArray, cdkJsonContext, joinToString, type PolicyStatement } from '../support/cdk-template.js';
import { iamActionsCalledFrom } from '../support/code-actions.js';
import { documentedSurfaces } from '../support/documented-surfaces.js';

const EMAILS = ['ops@example.com'];

interface Synth {
  app: App;
  stack: CognitoDriftStack;
  template: Template;
  nag: AwsSolutionsChecks;
  id: (construct: { node: { defaultChild?: unknown } } | undefined) => string;
  /** The statements of a role's inline policies, with `<ref>` for references in resources. */
  statements: (role: iam.IRole | undefined) => PolicyStatement[];
  /** Action → resources as strings, for one role. */
  grants: (role: iam.IRole | undefined) => Map<string, string[]>;
}

/** Synthesizes a stack; without `bundle`, functions are not bundled (the wiring, not the code). */
function synth(detector: Partial<CognitoDriftDetectorProps>, { bundle = false } = {}): Synth {
  const app = new App({
    context: { ...cdkJsonContext(), ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new CognitoDriftStack(app, 'CognitoDrift', {
    // The organization whose accounts may forward their events (required with real time in organization mode).
    detector: { alertEmails: EMAILS, organizationId: 'o-abc123defg', ...detector },
  });
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  const template = Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } } | undefined) =>
    stack.getLogicalId(construct?.node.defaultChild as CfnElement);
  const statements = (role: iam.IRole | undefined) => {
    const ref = JSON.stringify({ Ref: id(role as never) });
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === ref))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
  };
  const grants = (role: iam.IRole | undefined) => {
    const byAction = new Map<string, string[]>();
    for (const statement of statements(role)) {
      expect(statement.Effect).toBe('Allow');
      for (const action of asArray(statement.Action)) {
        byAction.set(action, [
          ...(byAction.get(action) ?? []),
          ...asArray(statement.Resource).map((r) => joinToString(stack.resolve(r))),
        ]);
      }
    }
    return byAction;
  };
  return { app, stack, template, nag, id, statements, grants };
}

function definitionOf(s: Synth, machine: { node: { defaultChild?: unknown } } | undefined) {
  const resource = s.template.toJSON().Resources[s.id(machine)];
  return JSON.parse(joinToString(resource?.Properties.DefinitionString)) as {
    StartAt: string;
    States: Record<string, Record<string, unknown>>;
  };
}

function nagFindings(s: Synth): string[] {
  return s.nag.validateScope(s.app).violations.map((v) => `${v.severity} ${v.ruleName}`);
}

const envOf = (s: Synth, fn: { node: { defaultChild?: unknown } } | undefined) =>
  s.template.toJSON().Resources[s.id(fn)]?.Properties.Environment.Variables as Record<string, unknown>;

describe('organization mode: accounts=organization, regions=all-enabled', () => {
  let s: Synth;

  beforeAll(() => {
    // Bundled once, so the organization function's code is checked as deployed.
    s = synth({ accounts: 'organization', regions: 'all-enabled' }, { bundle: true });
  });

  it('adds the organization function, bundled from lambda/org-handler.ts', () => {
    const fn = s.stack.detector.organizationFunction;
    expect(fn).toBeDefined();
    s.template.resourceCountIs('AWS::Lambda::Function', 2);
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 900,
      Role: { 'Fn::GetAtt': [s.id(fn?.role as never), 'Arn'] },
    });
    const outdir = s.app.synth().directory;
    const bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outdir, name, 'index.mjs'))
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file, 'utf8'));
    expect(bundles).toHaveLength(2);
    // Only the organization entry lists an organization's accounts.
    expect(bundles.filter((code) => code.includes('ListAccountsForParent'))).toHaveLength(1);
  });

  it('gives the organization function the settings and its targets in its environment', () => {
    const env = envOf(s, s.stack.detector.organizationFunction);
    expect(env).toEqual({
      BASELINE_BUCKET: { Ref: s.id(s.stack.detector.bucket) },
      ALERT_TOPIC_ARN: { Ref: s.id(s.stack.detector.topic) },
      DIGEST_KEY_SECRET_ARN: { Ref: s.id(s.stack.detector.digestKeySecret) },
      QUOTA_SHARE: '0.5',
      REMINDER_INTERVAL_HOURS: '24',
      SCHEDULE_PERIOD_MINUTES: '60',
      SURFACES: expect.any(String),
      ROTATION_WINDOW_DAYS: '7',
      DEPLOYED_CHANGES: 'alert',
      REALTIME_ENABLED: 'true',
      REALTIME_DEBOUNCE_SECONDS: '60',
      DRIFT_EVENTS_ENABLED: 'true',
      SECURITY_HUB_ENABLED: 'false',
      LOG_LEVEL: 'INFO',
      TARGET_ACCOUNTS: 'organization',
      TARGET_REGIONS: 'all-enabled',
      MEMBER_ROLE_NAME: 'CognitoDriftMemberRole',
      POWERTOOLS_SERVICE_NAME: 'cognito-drift',
      POWERTOOLS_METRICS_NAMESPACE: 'CognitoDrift',
      NODE_OPTIONS: '--enable-source-maps --max-old-space-size=256',
    });
  });

  it('gives the organization function every documented surface by default, each once', () => {
    const env = envOf(s, s.stack.detector.organizationFunction) as { SURFACES?: unknown };

    expect(String(env.SURFACES).split(',').sort()).toEqual(documentedSurfaces());
  });

  it('keeps the single-target function for the real-time path, with no target settings', () => {
    const env = envOf(s, s.stack.detector.function);
    expect(Object.keys(env).filter((name) => /TARGET|MEMBER|EXTERNAL|ORGANIZATIONAL/.test(name))).toEqual([]);
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['AWS API Call via CloudTrail'] }),
      Targets: [Match.objectLike({ Arn: { Ref: s.id(s.stack.detector.stateMachine) } })],
    });
  });

  it('schedules the organization state machine, not the single-target one', () => {
    const schedules = Object.values(s.template.findResources('AWS::Events::Rule')).filter(
      (rule) => rule.Properties.ScheduleExpression,
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(schedules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { Ref: s.id(s.stack.detector.organizationStateMachine) }, Input: '{}' }),
    ]);
  });

  it('maps over the targets with a Distributed Map, 10 at once, each at most maxInvocationsPerRun times', () => {
    const def = definitionOf(s, s.stack.detector.organizationStateMachine);
    expect(def.StartAt).toBe('ListTargets');
    const map = def.States.ScanTargets as {
      Type: string;
      MaxConcurrency: number;
      ItemProcessor: { ProcessorConfig: { Mode: string }; States: Record<string, Record<string, unknown>> };
    };
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.MaxConcurrency).toBe(10);
    expect(map.ItemProcessor.States.TargetScanned).toMatchObject({
      Choices: expect.arrayContaining([
        expect.objectContaining({ Variable: '$.count', NumericLessThan: 50, Next: 'ScanAgain' }),
      ]),
    });
    expect(
      joinToString(
        s.template.toJSON().Resources[s.id(s.stack.detector.organizationStateMachine)]?.Properties
          .DefinitionString,
      ),
    ).not.toContain(s.id(s.stack.detector.function));
  });

  it("reads the Map's items from the bucket, only under runs/organization/", () => {
    const def = definitionOf(s, s.stack.detector.organizationStateMachine);
    expect((def.States.ScanTargets as { ItemReader?: unknown }).ItemReader).toMatchObject({
      Parameters: { 'Bucket.$': '$.listing.bucket', 'Key.$': '$.listing.itemsKey' },
    });
    const reads = s.grants(s.stack.detector.organizationStateMachine?.role).get('s3:GetObject') ?? [];
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/\/runs\/organization\/\*$/);
  });

  it('alarms on failed and timed-out organization runs, on both functions and on failed real-time checks', () => {
    const alarms = Object.values(s.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(6);
    const on = (metric: string) =>
      alarms
        .filter((alarm) => alarm.Properties.MetricName === metric)
        .map((alarm) => alarm.Properties.Dimensions[0].Value);
    expect(on('ExecutionsFailed')).toEqual(
      expect.arrayContaining([
        { Ref: s.id(s.stack.detector.organizationStateMachine) },
        { Ref: s.id(s.stack.detector.stateMachine) },
      ]),
    );
    expect(on('ExecutionsTimedOut')).toEqual([{ Ref: s.id(s.stack.detector.organizationStateMachine) }]);
    expect(on('Errors')).toEqual(
      expect.arrayContaining([
        { Ref: s.id(s.stack.detector.function) },
        { Ref: s.id(s.stack.detector.organizationFunction) },
      ]),
    );
    expect(on('RunsCompleted')).toEqual(['cognito-drift']);
    s.template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: s.id(s.stack.detector.topic) }],
    });
  });

  it('may assume the member role of any account, by its one name', () => {
    const grants = s.grants(s.stack.detector.organizationFunction?.role);
    expect(grants.get('sts:AssumeRole')).toEqual(['arn:<ref>:iam::*:role/CognitoDriftMemberRole']);
  });

  it('lists the organization with ListAccounts only, and its own regions with ListRegions', () => {
    const grants = s.grants(s.stack.detector.organizationFunction?.role);
    expect(grants.get('organizations:ListAccounts')).toEqual(['*']);
    expect(grants.has('organizations:ListAccountsForParent')).toBe(false);
    expect(grants.has('organizations:ListChildren')).toBe(false);
    expect(grants.get('account:ListRegions')).toEqual(['arn:<ref>:account::<ref>:account']);
    // Its own account's pools, in any region (the regions are read at run time).
    expect(grants.get('cognito-idp:DescribeUserPool')).toEqual(['arn:<ref>:cognito-idp:*:<ref>:userpool/*']);
  });

  it('grants exactly the IAM actions of the AWS calls in the bundled organization code', async () => {
    const called = await iamActionsCalledFrom('lambda/org-handler.ts');
    const granted = new Set(
      [...s.grants(s.stack.detector.organizationFunction?.role).keys()].filter((a) => !a.startsWith('logs:')),
    );
    // The OU walk's actions are granted only with organizationalUnits (next describe).
    expect([...called].filter((action) => !granted.has(action)).sort()).toEqual([
      'organizations:ListAccountsForParent',
      'organizations:ListChildren',
    ]);
    expect([...granted].filter((action) => !called.has(action))).toEqual([]);
  });

  it('reads what the member role may read, no more and no less', () => {
    const reads = [...s.grants(s.stack.detector.organizationFunction?.role).keys()]
      .filter((a) =>
        /^(cognito-idp|cognito-identity|wafv2|lambda|iam|kms|account):|^cloudtrail:LookupEvents$/.test(a),
      )
      .sort();
    expect(reads).toEqual([...MEMBER_READ_ACTIONS].sort());
  });

  it('lets the organization function write the documents and publish, and no one else', () => {
    const orgRole = { 'Fn::GetAtt': [s.id(s.stack.detector.organizationFunction?.role as never), 'Arn'] };
    const fnRole = { 'Fn::GetAtt': [s.id(s.stack.detector.function.role as never), 'Arn'] };
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyTheDetectorAndApproversWriteBaselines',
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [fnRole, orgRole, Match.anyValue()],
              },
            },
          }),
          Match.objectLike({
            Sid: 'OnlyTheDetectorWritesItsDocuments',
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': [fnRole, orgRole] } },
          }),
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OnlyTheDetectorAndAlarmsPublish',
            Condition: Match.objectLike({ ArnNotEquals: { 'aws:PrincipalArn': [fnRole, orgRole] } }),
          }),
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'OrganizationFunctionPublishes', Principal: { AWS: orgRole } }),
        ]),
      },
    });
  });

  it('outputs the organization state machine and the role the member roles trust', () => {
    s.template.hasOutput('OrganizationStateMachineArn', {
      Value: { Ref: s.id(s.stack.detector.organizationStateMachine) },
    });
    s.template.hasOutput('DetectorRoleArn', {
      Value: { 'Fn::GetAtt': [s.id(s.stack.detector.organizationFunction?.role as never), 'Arn'] },
    });
  });

  it('passes cdk-nag AwsSolutions', () => {
    expect(nagFindings(s)).toEqual([]);
  });
});

describe('organization mode: listed accounts and regions', () => {
  let s: Synth;

  beforeAll(() => {
    s = synth({
      accounts: ['111122223333', '444455556666'],
      regions: 'eu-west-1,us-east-1',
      maxConcurrentTargets: 3,
      memberRoleName: 'DriftReader',
      externalId: 'cognito-drift-7f3a',
      chatTopic: true,
    });
  });

  it('assumes exactly the member role of each listed account', () => {
    expect(s.grants(s.stack.detector.organizationFunction?.role).get('sts:AssumeRole')?.sort()).toEqual([
      'arn:<ref>:iam::111122223333:role/DriftReader',
      'arn:<ref>:iam::444455556666:role/DriftReader',
    ]);
  });

  it('has no Organizations or Account Management grant, and reads its own pools in the listed regions', () => {
    const grants = s.grants(s.stack.detector.organizationFunction?.role);
    expect([...grants.keys()].filter((a) => /^(organizations|account):/.test(a))).toEqual([]);
    expect(grants.get('cognito-idp:DescribeUserPool')).toEqual([
      'arn:<ref>:cognito-idp:eu-west-1:<ref>:userpool/*',
      'arn:<ref>:cognito-idp:us-east-1:<ref>:userpool/*',
    ]);
    expect(grants.get('sns:Publish')).toEqual(['<ref>', '<ref>']);
  });

  it('uses an inline Map for few targets, with the given concurrency', () => {
    const map = definitionOf(s, s.stack.detector.organizationStateMachine).States.ScanTargets as {
      MaxConcurrency: number;
      ItemProcessor: { ProcessorConfig: { Mode: string } };
    };
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
    expect(map.MaxConcurrency).toBe(3);
  });

  it('passes the targets, the role name, the external id and the chat topic to the function', () => {
    expect(envOf(s, s.stack.detector.organizationFunction)).toMatchObject({
      TARGET_ACCOUNTS: '111122223333,444455556666',
      TARGET_REGIONS: 'eu-west-1,us-east-1',
      MEMBER_ROLE_NAME: 'DriftReader',
      EXTERNAL_ID: 'cognito-drift-7f3a',
      CHAT_TOPIC_ARN: { Ref: s.id(s.stack.detector.chatTopic) },
    });
    expect(envOf(s, s.stack.detector.organizationFunction)).not.toHaveProperty('ORGANIZATIONAL_UNITS');
    expect(envOf(s, s.stack.detector.organizationFunction)).not.toHaveProperty('MAX_CONCURRENT_TARGETS');
  });

  it('passes cdk-nag AwsSolutions', () => {
    expect(nagFindings(s)).toEqual([]);
  });
});

describe('organization mode: other selections', () => {
  it('walks the OUs with ListAccountsForParent and ListChildren instead of ListAccounts', async () => {
    const s = synth({ accounts: 'organization', organizationalUnits: 'ou-ab12-cdefgh34' });
    const grants = s.grants(s.stack.detector.organizationFunction?.role);

    expect([...grants.keys()].filter((a) => a.startsWith('organizations:')).sort()).toEqual([
      'organizations:ListAccountsForParent',
      'organizations:ListChildren',
    ]);
    expect(grants.has('account:ListRegions')).toBe(false);
    expect(grants.get('cognito-idp:DescribeUserPool')).toEqual([
      'arn:<ref>:cognito-idp:<ref>:<ref>:userpool/*',
    ]);
    expect(envOf(s, s.stack.detector.organizationFunction)).toMatchObject({
      TARGET_ACCOUNTS: 'organization',
      TARGET_REGIONS: 'stack',
      ORGANIZATIONAL_UNITS: 'ou-ab12-cdefgh34',
    });
    expect(nagFindings(s)).toEqual([]);
    // With the variant above, every organization action the code calls is granted by some selection.
    const called = await iamActionsCalledFrom('lambda/org-handler.ts');
    expect([...grants.keys()].filter((a) => a.startsWith('organizations:') && !called.has(a))).toEqual([]);
  });

  it('needs no AssumeRole for its own account in several regions', () => {
    const s = synth({ regions: ['eu-west-1', 'eu-central-1'] });
    expect(s.stack.detector.organizationFunction).toBeDefined();
    expect(s.grants(s.stack.detector.organizationFunction?.role).has('sts:AssumeRole')).toBe(false);
    expect(s.template.findOutputs('DetectorRoleArn')).not.toEqual({});
  });

  it(`uses a Distributed Map from ${DISTRIBUTED_MAP_THRESHOLD} listed targets on`, () => {
    const accounts = Array.from({ length: DISTRIBUTED_MAP_THRESHOLD / 2 }, (_, i) =>
      String(100000000000 + i),
    );
    const mode = (regions: string[]) => {
      const s = synth({ accounts, regions, realtime: false });
      const map = definitionOf(s, s.stack.detector.organizationStateMachine).States.ScanTargets as {
        ItemProcessor: { ProcessorConfig: { Mode: string } };
      };
      return map.ItemProcessor.ProcessorConfig.Mode;
    };
    expect(mode(['eu-west-1', 'us-east-1'])).toBe('DISTRIBUTED');
    expect(mode(['eu-west-1'])).toBe('INLINE');
  });
});

describe('default mode (own account, own region)', () => {
  it('adds nothing of the organization run', () => {
    const s = synth({});
    expect(s.stack.detector.organizationFunction).toBeUndefined();
    expect(s.stack.detector.organizationStateMachine).toBeUndefined();
    s.template.resourceCountIs('AWS::Lambda::Function', 1);
    s.template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    expect(Object.keys(s.template.findOutputs('*')).sort()).toEqual([
      'AlertTopicArn',
      'ApproverRoleArn',
      'BaselineBucketName',
      'DigestKeySecretArn',
      'FunctionName',
      'StateMachineArn',
    ]);
    const actions = [...s.grants(s.stack.detector.function.role).keys()];
    expect(actions.filter((a) => /^(sts|organizations|account):/.test(a))).toEqual([]);
  });

  it('can be written out in full as self and stack', () => {
    const s = synth({ accounts: 'self', regions: 'stack' });
    expect(s.stack.detector.organizationFunction).toBeUndefined();
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: { Ref: s.id(s.stack.detector.stateMachine) }, Input: '{}' })],
    });
  });
});
