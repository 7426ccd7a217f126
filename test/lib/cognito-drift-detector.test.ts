import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CognitoDriftDetector, type CognitoDriftDetectorProps } from '../../lib/cognito-drift-detector.js';

/**
 * An app that skips asset bundling and the built-in CloudFormation schema validation (10 s to load):
 * these tests look at the template only. The stack test bundles and validates the real thing once.
 */
function newApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
}

function synth(
  props: Partial<CognitoDriftDetectorProps>,
  stackProps: ConstructorParameters<typeof Stack>[2] = {},
) {
  const stack = new Stack(newApp(), 'Test', stackProps);
  const detector = new CognitoDriftDetector(stack, 'Detector', {
    alertEmails: ['ops@example.com'],
    ...props,
  });
  return { stack, detector, template: Template.fromStack(stack) };
}

describe('CognitoDriftDetector', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('passes every setting to the function', () => {
    const ignoreRules = { fields: ['client.RefreshTokenValidity'], pools: [], clients: [] };
    const { template } = synth({
      quotaShare: 0.2,
      reminderIntervalHours: 6,
      lambdaMemoryMb: 1024,
      lambdaTimeoutSeconds: 300,
      logLevel: 'DEBUG',
      ignoreRules,
      schedule: 'rate(15 minutes)',
    });

    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          QUOTA_SHARE: '0.2',
          REMINDER_INTERVAL_HOURS: '6',
          LOG_LEVEL: 'DEBUG',
          SCHEDULE_PERIOD_MINUTES: '15',
          IGNORE_RULES: JSON.stringify(ignoreRules),
        }),
      },
    });
  });

  it("caps the function's JavaScript heap at half its memory, so garbage is collected within it", () => {
    const { template } = synth({ lambdaMemoryMb: 256 });

    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 256,
      Environment: {
        Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps --max-old-space-size=128' }),
      },
    });
  });

  it('with chatTopic, adds a second TLS-only topic, tells the function, and lets it publish to both', () => {
    const { template, detector } = synth({ chatTopic: true });

    template.resourceCountIs('AWS::SNS::Topic', 2);
    const chatTopic = detector.chatTopic as NonNullable<typeof detector.chatTopic>;
    const chatRef = { Ref: Match.stringLikeRegexp('DetectorChatTopic') };
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHAT_TOPIC_ARN: chatRef }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Resource: [{ Ref: Match.stringLikeRegexp('DetectorAlertTopic') }, chatRef],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Stack.of(chatTopic).getLogicalId(chatTopic.node.defaultChild as never) }],
    });
  });

  it('without chatTopic, has one topic and no CHAT_TOPIC_ARN', () => {
    const { template, detector } = synth({});

    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(detector.chatTopic).toBeUndefined();
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn?.Properties.Environment.Variables).not.toHaveProperty('CHAT_TOPIC_ARN');
  });

  it('sets no IGNORE_RULES when ignoreRules is not given', () => {
    const { template } = synth({});

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IGNORE_RULES: Match.absent() }) },
    });
  });

  it('sizes the missed-run alarm and the function period from a cron schedule', () => {
    const { template } = synth({ schedule: 'cron(0 6,18 * * ? *)' });

    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6,18 * * ? *)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RunsCompleted',
      Period: 720 * 60,
      EvaluationPeriods: 2,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SCHEDULE_PERIOD_MINUTES: '720' }) },
    });
  });

  it('uses schedulePeriodMinutes for a cron restricted to weekdays', () => {
    const { template } = synth({ schedule: 'cron(0 7 ? * MON-FRI *)', schedulePeriodMinutes: 4320 });

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RunsCompleted',
      Period: 4320 * 60,
    });
  });

  it('applies retention, version expiry and the invocation budget from props', () => {
    const { template } = synth({
      logRetentionDays: 30,
      noncurrentVersionExpirationDays: 30,
      maxInvocationsPerRun: 5,
    });

    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]),
      },
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"NumericGreaterThan":5,')])],
      }),
    });
  });

  it('scopes Cognito reads with pseudo parameters even in a stack with a concrete environment', () => {
    const { template } = synth({}, { env: { account: '123456789012', region: 'eu-west-1' } });

    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadUserPools',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cognito-idp:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':userpool/*',
                ],
              ],
            },
          }),
        ]),
      },
    });
  });

  it.each<[Partial<CognitoDriftDetectorProps>, string]>([
    [{ alertEmails: [] }, 'prop "alertEmails": at least one email address'],
    [{ alertEmails: ['ops@example'] }, 'prop "alertEmails": "ops@example" is not an email address'],
    [{ quotaShare: 0 }, 'prop "quotaShare"'],
    [{ schedule: 'rate(1 days)' }, 'prop "schedule"'],
    [{ schedule: 'cron(0 7 ? * MON-FRI *)' }, 'prop "schedulePeriodMinutes": is required'],
    [{ logRetentionDays: 10 }, 'prop "logRetentionDays"'],
    [{ lambdaMemoryMb: 100 }, 'prop "lambdaMemoryMb"'],
  ])('rejects %j naming the prop', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  describe('who may write and publish (issue 11)', () => {
    const ref = (construct: { node: { defaultChild?: unknown } }, stack: Stack) =>
      stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;

    it('encrypts the topic with a rotating customer-managed key that CloudWatch alarms and the function can use', () => {
      const { template, detector, stack } = synth({});
      const key = ref(detector.topicKey, stack);
      const role = ref(detector.function.role as never, stack);

      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'CloudWatchAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
            Match.objectLike({
              Sid: 'FunctionPublishes',
              Principal: { AWS: { 'Fn::GetAtt': [role, 'Arn'] } },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    });

    it('denies Publish to everyone but the function role and CloudWatch', () => {
      const { template, detector, stack } = synth({});
      const role = ref(detector.function.role as never, stack);

      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'CloudWatchAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
            }),
            Match.objectLike({
              Sid: 'OnlyTheDetectorAndAlarmsPublish',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'sns:Publish',
              Condition: {
                ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [role, 'Arn'] } },
                StringNotEquals: { 'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com' },
              },
            }),
          ]),
        },
      });
    });

    it('lets only the function and the approver role write baselines/, and only the function the rest', () => {
      const { template, detector, stack } = synth({});
      const role = { 'Fn::GetAtt': [ref(detector.function.role as never, stack), 'Arn'] };
      const approver = { 'Fn::GetAtt': [ref(detector.approverRole, stack), 'Arn'] };
      const bucket = ref(detector.bucket, stack);
      const baselines = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/baselines/*']] };

      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'OnlyTheDetectorAndApproversWriteBaselines',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:PutObject',
              Resource: baselines,
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': [role, approver] } },
            }),
            Match.objectLike({
              Sid: 'OnlyTheDetectorWritesItsDocuments',
              Effect: 'Deny',
              Action: 's3:PutObject',
              NotResource: baselines,
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': role } },
            }),
          ]),
        },
      });
    });

    it('ships an approver policy with exactly what approve and history call, on the approver role', () => {
      const { template, detector, stack } = synth({});
      const bucket = ref(detector.bucket, stack);
      const arn = { 'Fn::GetAtt': [bucket, 'Arn'] };

      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [
            {
              Sid: 'ReadDocumentsAndVersions',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:GetObjectVersion'],
              Resource: { 'Fn::Join': ['', [arn, '/*']] },
            },
            {
              Sid: 'WriteBaselines',
              Effect: 'Allow',
              Action: 's3:PutObject',
              Resource: { 'Fn::Join': ['', [arn, '/baselines/*']] },
            },
            {
              Sid: 'ListDocumentsAndVersions',
              Effect: 'Allow',
              Action: ['s3:ListBucket', 's3:ListBucketVersions'],
              Resource: arn,
            },
          ],
        },
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        ManagedPolicyArns: [{ Ref: ref(detector.approverPolicy as never, stack) }],
        MaxSessionDuration: 3600,
      });
    });
  });

  describe('cdk-nag acknowledgments', () => {
    /** Runs AwsSolutions with every acknowledgment of the construct switched off. */
    function findingsWithoutAcknowledgments() {
      const acknowledged: string[] = [];
      const reasons: string[] = [];
      vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation((...rules) => {
        acknowledged.push(...rules.map((rule) => rule.id));
        reasons.push(...rules.map((rule) => rule.reason));
      });
      const app = newApp();
      new CognitoDriftDetector(new Stack(app, 'Test'), 'Detector', { alertEmails: ['ops@example.com'] });
      const report = new AwsSolutionsChecks(app).validateScope(app);
      return {
        app,
        acknowledged,
        reasons,
        findings: report.violations.map((violation) => violation.ruleName),
      };
    }

    it('each answer a finding that really occurs, and together answer all of them', () => {
      const { acknowledged, findings } = findingsWithoutAcknowledgments();

      expect(new Set(acknowledged)).toEqual(new Set(findings));
      expect(acknowledged.sort()).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::<DetectorBaselineBucketAE391B1A.Arn>/*]',
        'AwsSolutions-IAM5[Resource::<DetectorBaselineBucketAE391B1A.Arn>/*]',
        'AwsSolutions-IAM5[Resource::<DetectorBaselineBucketAE391B1A.Arn>/baselines/*]',
        'AwsSolutions-IAM5[Resource::<DetectorFunctionDD6A428A.Arn>:*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-identity:<AWS::Region>:<AWS::AccountId>:identitypool/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:wafv2:<AWS::Region>:<AWS::AccountId>:regional/webacl/*/*]',
        'AwsSolutions-S1',
        'AwsSolutions-SMG4',
      ]);
    });

    it('each carry their own written reason', () => {
      const { reasons } = findingsWithoutAcknowledgments();

      expect(new Set(reasons).size).toBe(reasons.length);
      for (const reason of reasons) expect(reason.length).toBeGreaterThan(60);
    });

    it('are what stops synthesis from failing', () => {
      const { app } = findingsWithoutAcknowledgments();
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

      expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    });
  });
});
