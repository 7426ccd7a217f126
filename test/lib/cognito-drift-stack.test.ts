import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeEventTable } from '../../lambda/core/write-events.js';
import { CATALOG } from '../../lambda/surfaces/index.js';

const WRITE_EVENTS = writeEventTable(CATALOG).events;

import { CognitoDriftStack } from '../../lib/cognito-drift-stack.js';
import { asArray, cdkJsonContext, joinToString, type PolicyStatement } from '../support/cdk-template.js';
import { iamActionsCalledFrom } from '../support/code-actions.js';
import { documentedSurfaces } from '../support/documented-surfaces.js';

const EMAILS = ['ops@example.com', 'security@example.org'];

/** The feature flags of cdk.json, so the test synthesizes what `cdk synth` does. */

describe('CognitoDriftStack', () => {
  let app: App;
  let stack: CognitoDriftStack;
  let template: Template;
  let nag: AwsSolutionsChecks;
  const id = (element: unknown) => stack.getLogicalId(element as CfnElement);

  beforeAll(() => {
    app = new App({ context: cdkJsonContext() });
    stack = new CognitoDriftStack(app, 'CognitoDrift', { detector: { alertEmails: EMAILS } });
    nag = new AwsSolutionsChecks(app);
    Validations.of(app).addPlugins(nag);
    // Synthesizes (bundling the real handler) and runs cdk-nag: an unacknowledged error throws here.
    template = Template.fromStack(stack);
  });

  describe('baseline bucket', () => {
    it('is versioned, encrypted, private, owner-enforced and kept on stack deletion', () => {
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        }),
      });
      template.resourceCountIs('AWS::S3::Bucket', 1);
    });

    it('expires noncurrent versions after 365 days and reports after 90 days', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 365 } }),
            Match.objectLike({ Status: 'Enabled', Prefix: 'reports/', ExpirationInDays: 90 }),
          ]),
        },
      });
    });

    it('denies requests without TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id(stack.detector.bucket.node.defaultChild) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('alert topic', () => {
    it('has one email subscription per address', () => {
      const topic = id(stack.detector.topic.node.defaultChild);

      template.resourceCountIs('AWS::SNS::Subscription', EMAILS.length);
      for (const email of EMAILS) {
        template.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: email,
          TopicArn: { Ref: topic },
        });
      }
    });

    it('denies publishing without TLS', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('function', () => {
    it('runs the ESM bundle on nodejs24.x arm64 with 512 MB, 15 minutes and no reserved concurrency', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 900,
        ReservedConcurrentExecutions: Match.absent(),
        LoggingConfig: {
          LogGroup: { Ref: id(stack.detector.node.findChild('FunctionLogs').node.defaultChild) },
        },
      });
      template.resourceCountIs('AWS::Lambda::Function', 1);
    });

    it('gets exactly the documented environment', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectEquals({
            BASELINE_BUCKET: { Ref: id(stack.detector.bucket.node.defaultChild) },
            ALERT_TOPIC_ARN: { Ref: id(stack.detector.topic.node.defaultChild) },
            DIGEST_KEY_SECRET_ARN: { Ref: id(stack.detector.digestKeySecret.node.defaultChild) },
            QUOTA_SHARE: '0.5',
            REMINDER_INTERVAL_HOURS: '24',
            SCHEDULE_PERIOD_MINUTES: '60',
            SURFACES: Match.anyValue(),
            ROTATION_WINDOW_DAYS: '7',
            DEPLOYED_CHANGES: 'alert',
            REALTIME_ENABLED: 'true',
            REALTIME_DEBOUNCE_SECONDS: '60',
            DRIFT_EVENTS_ENABLED: 'true',
            SECURITY_HUB_ENABLED: 'false',
            LOG_LEVEL: 'INFO',
            POWERTOOLS_SERVICE_NAME: 'cognito-drift',
            POWERTOOLS_METRICS_NAMESPACE: 'CognitoDrift',
            NODE_OPTIONS: '--enable-source-maps --max-old-space-size=256',
          }),
        },
      });
    });

    it('watches every documented surface by default, each once', () => {
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function')).filter(
        (r) => r.Properties.Environment?.Variables?.SURFACES !== undefined,
      );
      const surfaces = String(fn?.Properties.Environment.Variables.SURFACES).split(',');

      expect(surfaces.sort()).toEqual(documentedSurfaces());
    });

    it('is bundled as minified ESM with a require shim, a source map and the SDK inside', () => {
      const outdir = app.synth().directory;
      const bundles = readdirSync(outdir)
        .filter((name) => name.startsWith('asset.'))
        .map((name) => join(outdir, name))
        .filter((dir) => existsSync(join(dir, 'index.mjs')));

      expect(bundles).toHaveLength(1);
      const code = readFileSync(join(bundles[0]!, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __cdkCreateRequire } from 'node:module';")).toBe(
        true,
      );
      expect(existsSync(join(bundles[0]!, 'index.mjs.map'))).toBe(true);
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    });

    it('keeps its logs 90 days, as does the state machine', () => {
      template.resourceCountIs('AWS::Logs::LogGroup', 2);
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });
  });

  describe('function role', () => {
    function roleStatements(): PolicyStatement[] {
      const role = id(stack.detector.function.role!.node.defaultChild);
      const roleResource = template.toJSON().Resources[role];
      expect(roleResource?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(roleResource?.Properties.Policies).toBeUndefined();
      return Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) =>
          (policy.Properties.Roles as unknown[]).some(
            (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: role }),
          ),
        )
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
    }

    it('allows exactly the listed actions, and every call of the surface modules, and nothing else', async () => {
      const statements = roleStatements();
      const actions = new Set(statements.flatMap((statement) => asArray(statement.Action)));
      // The resource kinds' reads: the SDK commands the surface modules' code sends (read from the
      // bundled source, not from the catalog the role is derived from).
      const surfaceActions = await iamActionsCalledFrom('lambda/surfaces/index.ts');

      expect(surfaceActions.size).toBeGreaterThanOrEqual(10);
      expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
      expect([...actions].sort()).toEqual(
        [
          'cognito-idp:ListUserPools',
          'cognito-idp:DescribeUserPool',
          'cognito-idp:ListUserPoolClients',
          'cognito-idp:DescribeUserPoolClient',
          'cognito-idp:ListUserPoolClientSecrets',
          ...surfaceActions,
          's3:GetObject',
          's3:PutObject',
          's3:ListBucket',
          'sns:Publish',
          'cloudtrail:LookupEvents',
          'cloudtrail:DescribeTrails',
          'cloudtrail:GetTrailStatus',
          'secretsmanager:GetSecretValue',
          'events:PutEvents',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ].sort(),
      );
    });

    it('grants exactly the IAM actions of the AWS calls in the bundled function code', async () => {
      const called = await iamActionsCalledFrom('lambda/handler.ts');
      const granted = new Set(
        roleStatements()
          .flatMap((statement) => asArray(statement.Action))
          .filter((action) => !action.startsWith('logs:')),
      );

      expect(called.size).toBeGreaterThanOrEqual(8);
      // Security Hub is opt-in (securityHub: true grants its two actions: test/lib/dashboard-and-sinks.test.ts).
      expect([...called].filter((action) => !granted.has(action)).sort()).toEqual([
        'securityhub:BatchImportFindings',
        'securityhub:GetFindings',
      ]);
      expect([...granted].filter((action) => !called.has(action))).toEqual([]);
      expect([...granted].filter((a) => /^cognito-idp:(Admin|Create|Update|Delete|Set|Add)/.test(a))).toEqual(
        [],
      );
    });

    it('uses "*" only for the actions without resource-level permissions', () => {
      const onStar = roleStatements()
        .filter((statement) => asArray(statement.Resource).includes('*'))
        .flatMap((statement) => asArray(statement.Action));

      expect(onStar.sort()).toEqual([
        'cloudtrail:DescribeTrails',
        'cloudtrail:LookupEvents',
        'cognito-identity:ListIdentityPools',
        'cognito-idp:DescribeUserPoolDomain',
        'cognito-idp:ListUserPools',
        'wafv2:ListWebACLs',
      ]);
    });

    it('scopes the Cognito reads to user pools of its own account and region', () => {
      const reads = roleStatements().find((statement) =>
        asArray(statement.Action).includes('cognito-idp:DescribeUserPool'),
      );

      expect(stack.resolve(reads?.Resource)).toEqual({
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
      });
    });

    it('scopes S3 to the baseline bucket and SNS to the alert topic', () => {
      const bucket = id(stack.detector.bucket.node.defaultChild);
      const byAction = (action: string) =>
        roleStatements().find((statement) => asArray(statement.Action).includes(action))?.Resource;

      expect(byAction('s3:GetObject')).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']],
      });
      expect(byAction('s3:ListBucket')).toEqual({ 'Fn::GetAtt': [bucket, 'Arn'] });
      expect(byAction('sns:Publish')).toEqual({ Ref: id(stack.detector.topic.node.defaultChild) });
    });
  });

  describe('real-time rules', () => {
    const names = (source: string) =>
      WRITE_EVENTS.filter((e) => e.eventSource === source).map((e) => e.eventName);

    it('start the state machine, with the event as its input, on the watched Cognito writes', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.cognito-idp', 'aws.cognito-identity'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['cognito-idp.amazonaws.com', 'cognito-identity.amazonaws.com'],
            eventName: [...names('cognito-idp.amazonaws.com'), ...names('cognito-identity.amazonaws.com')],
            errorCode: [{ exists: false }],
          },
        },
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { Ref: id(stack.detector.stateMachine.node.defaultChild) },
            Input: Match.absent(),
          }),
        ],
      });
    });

    it('start it on web ACL associations of user pools only', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.wafv2'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['wafv2.amazonaws.com'],
            eventName: ['AssociateWebACL', 'DisassociateWebACL'],
            requestParameters: {
              resourceArn: [
                { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:']] } },
              ],
            },
            errorCode: [{ exists: false }],
          },
        },
        Targets: [Match.objectLike({ Arn: { Ref: id(stack.detector.stateMachine.node.defaultChild) } })],
      });
    });

    it('are left out with realtime: false', () => {
      const off = new CognitoDriftStack(new App(), 'Off', {
        detector: { alertEmails: EMAILS, realtime: false },
      });
      const rules = Template.fromStack(off).findResources('AWS::Events::Rule');

      expect(Object.values(rules).map((rule) => rule.Properties.ScheduleExpression)).toEqual([
        'rate(1 hour)',
      ]);
    });
  });

  describe('digest key secret', () => {
    it('is generated by Secrets Manager (no value in the template), retained, and not rotated', () => {
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
        }),
      });
      const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret'));
      expect(secret?.Properties).not.toHaveProperty('SecretString');
      template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    });

    it('may be read (GetSecretValue only) by the function role and by no other role of the stack', () => {
      const secretRef = { Ref: id(stack.detector.digestKeySecret.node.defaultChild) };
      const readers = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
        (policy.Properties.PolicyDocument.Statement as PolicyStatement[]).some((statement) =>
          JSON.stringify(statement.Resource).includes(JSON.stringify(secretRef)),
        ),
      );
      const statements = readers.flatMap(([, policy]) =>
        (policy.Properties.PolicyDocument.Statement as PolicyStatement[]).filter((statement) =>
          JSON.stringify(statement.Resource).includes(JSON.stringify(secretRef)),
        ),
      );

      expect(statements.map((statement) => statement.Action)).toEqual(['secretsmanager:GetSecretValue']);
      expect(readers.flatMap(([, policy]) => policy.Properties.Roles)).toEqual([
        { Ref: id(stack.detector.function.role?.node.defaultChild) },
      ]);
      expect(Object.keys(template.findResources('AWS::SecretsManager::ResourcePolicy'))).toEqual([]);
    });
  });

  describe('state machine', () => {
    function definition(): {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    } {
      const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
      return JSON.parse(joinToString(machine?.Properties.DefinitionString));
    }

    it('invokes the function, retrying Lambda service errors only', () => {
      const { StartAt, States } = definition();

      expect(StartAt).toBe('Trigger');
      expect(States.Trigger).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.detail-type', IsPresent: true, Next: 'RealtimeCheck' }],
        Default: 'StartRun',
      });
      expect(States.RealtimeCheck).toMatchObject({
        Type: 'Pass',
        Parameters: { 'request.$': '$', iteration: 1 },
        Next: 'Scan',
      });
      expect(States.StartRun).toMatchObject({
        Type: 'Pass',
        Parameters: { request: {}, iteration: 1 },
        Next: 'Scan',
      });
      expect(States.Scan).toMatchObject({ Type: 'Task', InputPath: '$.request', ResultPath: '$.result' });
      expect(States.Scan?.Catch).toBeUndefined();
      expect(States.Scan?.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: [
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
          ],
        }),
      ]);
    });

    it('succeeds when the function returns done and otherwise loops with the runId', () => {
      const { States } = definition();

      expect(States.RunDone).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.result.done', BooleanEquals: true, Next: 'RunComplete' }],
        Default: 'ContinueRun',
      });
      expect(States.RunComplete).toEqual({ Type: 'Succeed' });
      expect(States.ContinueRun).toMatchObject({
        Type: 'Pass',
        Parameters: {
          request: { 'runId.$': '$.result.runId' },
          'iteration.$': 'States.MathAdd($.iteration, 1)',
        },
        Next: 'InvocationBudgetLeft',
      });
    });

    it('fails a run after 50 invocations instead of looping forever', () => {
      const { States } = definition();

      expect(States.InvocationBudgetLeft).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.iteration', NumericGreaterThan: 50, Next: 'TooManyInvocations' }],
        Default: 'Scan',
      });
      expect(States.TooManyInvocations).toMatchObject({
        Type: 'Fail',
        Error: 'CognitoDrift.TooManyInvocations',
      });
    });

    it('logs all events to its log group, without execution data, and traces with X-Ray', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [
            {
              CloudWatchLogsLogGroup: {
                LogGroupArn: {
                  'Fn::GetAtt': [
                    id(stack.detector.node.findChild('StateMachineLogs').node.defaultChild),
                    'Arn',
                  ],
                },
              },
            },
          ],
        },
        TracingConfiguration: { Enabled: true },
      });
    });
  });

  it('starts the state machine every hour with an empty input', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({ Arn: { Ref: id(stack.detector.stateMachine.node.defaultChild) }, Input: '{}' }),
      ],
    });
  });

  describe('alarms', () => {
    const topicAction = () => [{ Ref: id(stack.detector.topic.node.defaultChild) }];

    it('has four, each notifying the alert topic', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
      template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: topicAction() });
    });

    it('alarms on any function error in 5 minutes', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(stack.detector.function.node.defaultChild) } }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it.each(['ExecutionsFailed', 'ExecutionsTimedOut'])(
      'alarms on any %s of the state machine',
      (metricName) => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/States',
          MetricName: metricName,
          Dimensions: [
            { Name: 'StateMachineArn', Value: { Ref: id(stack.detector.stateMachine.node.defaultChild) } },
          ],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      },
    );

    it('alarms when no run completed within two schedule periods, missing data included', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'CognitoDrift',
        MetricName: 'RunsCompleted',
        Dimensions: [{ Name: 'service', Value: 'cognito-drift' }],
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 2,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    });
  });

  it('outputs the bucket name, topic ARN, digest key secret ARN, state machine ARN and function name', () => {
    template.hasOutput('BaselineBucketName', { Value: { Ref: id(stack.detector.bucket.node.defaultChild) } });
    template.hasOutput('DigestKeySecretArn', {
      Value: { Ref: id(stack.detector.digestKeySecret.node.defaultChild) },
    });
    template.hasOutput('AlertTopicArn', { Value: { Ref: id(stack.detector.topic.node.defaultChild) } });
    template.hasOutput('StateMachineArn', {
      Value: { Ref: id(stack.detector.stateMachine.node.defaultChild) },
    });
    template.hasOutput('FunctionName', { Value: { Ref: id(stack.detector.function.node.defaultChild) } });
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged error or warning', () => {
    const report = nag.validateScope(app);

    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}`)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
