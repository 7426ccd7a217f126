import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, type IConstruct } from 'constructs';
import { readActionsByResource } from '../lambda/core/catalog.js';
import { CLOUDTRAIL_DETAIL_TYPE, eventBridgeSource, writeEventTable } from '../lambda/core/write-events.js';
import { CATALOG } from '../lambda/surfaces/index.js';
import {
  type CognitoDriftDetectorProps,
  type DetectorSettings,
  isOrganizationMode,
  ORGANIZATION_SETTINGS,
  resolveDetectorSettings,
  targetSelection,
} from './config.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const HANDLER_ENTRY = fileURLToPath(new URL('../lambda/handler.ts', import.meta.url));
const ORGANIZATION_HANDLER_ENTRY = fileURLToPath(new URL('../lambda/org-handler.ts', import.meta.url));
/**
 * The functions as the installed package ships them (`npm run build`: dist/lambda-bundle and
 * dist/lambda-org-bundle next to dist/lib). In a clone there are none, and NodejsFunction bundles
 * lambda/handler.ts and lambda/org-handler.ts instead.
 */
const PREBUILT_BUNDLE = fileURLToPath(new URL('../lambda-bundle/', import.meta.url));
const PREBUILT_ORGANIZATION_BUNDLE = fileURLToPath(new URL('../lambda-org-bundle/', import.meta.url));

import { EVENT_SOURCE } from '../lambda/core/drift-events.js';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/core/telemetry.js';
import { realtimeEventPaths } from '../lambda/realtime/api-event.js';
import { PENDING_EVENTS_PREFIX } from '../lambda/realtime/pending-checks.js';
import { type SettingName, settingsEnvironment } from '../lambda/settings.js';
import { DriftDashboard } from './dashboard.js';
import {
  DISTRIBUTED_MAP_THRESHOLD,
  ORGANIZATION_RUN_PREFIX,
  organizationScanDefinition,
} from './organization-scan.js';

/** The catalog's read actions, by the resource they are granted on (one declaration per surface). */
const CATALOG_READS = readActionsByResource(CATALOG);
/** The scan's reads of a user pool and of everything attached to it (resource-level: `userpool/*`). */
const USER_POOL_READ_ACTIONS = [
  'cognito-idp:DescribeUserPool',
  'cognito-idp:ListUserPoolClients',
  'cognito-idp:DescribeUserPoolClient',
  'cognito-idp:ListUserPoolClientSecrets',
  ...CATALOG_READS.userpool,
];
/** Catalog reads without resource-level permissions, by service (each has its own statement). */
const UNSCOPED_READS = (service: string) => CATALOG_READS.none.filter((a) => a.startsWith(`${service}:`));
/** The write events that start a real-time check: the one table, from the catalog. */
const WRITE_EVENTS = writeEventTable(CATALOG).events;

/** What the function emits its EMF metrics under (Powertools namespace and `service` dimension). */
export { METRICS_NAMESPACE, SERVICE_NAME };

/**
 * Errors of the Lambda service itself (not of our code) that are safe to retry: the invocation
 * never ran or its result was lost. Function errors are not retried: the run would repeat the same
 * failure, and the function resumes from its own checkpoint on the next scheduled run anyway.
 */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Settings of {@link CognitoDriftDetector}, declared with the settings schema (`lambda/settings-schema.ts`). */
export type { CognitoDriftDetectorProps };

/**
 * Scheduled Cognito configuration-drift detector: a Step Functions state machine that invokes the
 * scanning function until it reports `done`, a versioned bucket for baselines and reports, an SNS
 * topic for alerts, and alarms for errors, failed runs and missed runs.
 *
 * With `accounts` or `regions` beyond the deployment's own (organization mode), the schedule starts a
 * second state machine instead, which maps over every (account, region) target with the organization
 * function; the single-target function and state machine stay for the real-time path of the
 * deployment's own account and region.
 */
export class CognitoDriftDetector extends Construct {
  /** The settings in effect, defaults applied. */
  readonly settings: DetectorSettings;
  /** Baselines (current versions are the approved state) and reports. */
  readonly bucket: s3.Bucket;
  /** Drift alerts from the function and alarm notifications. */
  readonly topic: sns.Topic;
  /** The same alerts as chat notifications (`chatTopic: true`); subscribe an Amazon Q Developer channel. */
  readonly chatTopic?: sns.Topic;
  /** Encrypts the topic; usable by the function and by CloudWatch alarms of this account. */
  readonly topicKey: kms.Key;
  /**
   * Exactly what `approve` and `history` need: read the bucket (objects and their versions) and
   * write `baselines/*`. Attach it to your operators, or let them assume {@link approverRole}.
   */
  readonly approverPolicy: iam.ManagedPolicy;
  /**
   * The only principal besides the function that may write `baselines/*` (the bucket policy denies
   * everyone else): operators assume it to approve. Assumable by principals of this account that
   * are allowed `sts:AssumeRole` on it.
   */
  readonly approverRole: iam.Role;
  /**
   * The key of the digests stored for identity-provider secrets and hosted-UI content: generated by
   * Secrets Manager (never in the template), readable only by the scan functions (and by an operator
   * whose own IAM allows it, for the CLI's `--digest-key-secret`).
   */
  readonly digestKeySecret: secretsmanager.Secret;
  /**
   * The scanning function of the deployment's own account and region. In organization mode it
   * serves the real-time path only; the schedule runs {@link organizationStateMachine}.
   */
  readonly function: lambda.Function;
  /**
   * Drives one run of {@link function}: invokes it until it returns `done: true`. Started by the
   * schedule, and by the real-time rules (in organization mode by those only).
   */
  readonly stateMachine: sfn.StateMachine;
  /**
   * Organization mode (any `accounts` other than `self`, or `regions` other than `stack`): the
   * function with the organization entry (`lambda/org-handler.ts`), which lists the targets, scans
   * one target per invocation and sends the one digest. Its role is what member roles trust.
   */
  readonly organizationFunction?: lambda.Function;
  /** Organization mode: List → Map over (account, region) targets → Aggregate; started by the schedule. */
  readonly organizationStateMachine?: sfn.StateMachine;
  /** Organization mode: the organization function threw (at least once in 5 minutes). */
  readonly organizationFunctionErrorsAlarm?: cloudwatch.Alarm;
  /** Organization mode with `realtime`: a real-time check (single-target state machine execution) failed. */
  readonly realtimeRunsFailedAlarm?: cloudwatch.Alarm;
  /** Starts the state machine (in organization mode, the organization state machine) on the schedule. */
  readonly scheduleRule: events.Rule;
  /** Start a targeted check on Cognito (and web ACL association) write events; empty when `realtime` is false. */
  readonly realtimeRules: events.Rule[] = [];
  /** The function threw (at least once in 5 minutes). */
  readonly functionErrorsAlarm: cloudwatch.Alarm;
  /** A run failed. */
  readonly runsFailedAlarm: cloudwatch.Alarm;
  /** A run timed out. */
  readonly runsTimedOutAlarm: cloudwatch.Alarm;
  /** No run completed within two schedule periods (dead man's switch). */
  readonly missedRunsAlarm: cloudwatch.Alarm;
  /** Runs, duration, pools, findings by severity, throttles, problems and real-time checks at a glance. */
  readonly dashboard: DriftDashboard;

  constructor(scope: Construct, id: string, props: CognitoDriftDetectorProps) {
    super(scope, id);
    const settings = resolveDetectorSettings(props);
    this.settings = settings;
    const retention = settings.logRetentionDays;

    this.bucket = new s3.Bucket(this, 'BaselineBucket', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Approved baselines are the product's memory: never delete them with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(settings.noncurrentVersionExpirationDays),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'ExpireReports', prefix: 'reports/', expiration: Duration.days(settings.reportExpirationDays) },
        // An organization run's items and each target's outcome: read by the run's own aggregate step.
        { id: 'ExpireOrganizationRuns', prefix: ORGANIZATION_RUN_PREFIX, expiration: Duration.days(7) },
        // One object per real-time event (lambda/realtime/pending-checks.ts), read once when its batch is
        // taken, within the debounce window plus the owner's grace; a batch nobody took is the sweep's.
        { id: 'ExpireRealtimeEvents', prefix: PENDING_EVENTS_PREFIX, expiration: Duration.days(2) },
      ],
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Private bucket written only by the detector function and by operators approving baselines; every write ' +
        'is kept as an object version, so history is already auditable. An access-log bucket would be a second ' +
        'bucket (itself unlogged) for little gain; accounts that need per-request audit enable CloudTrail S3 data events.',
    );

    this.topicKey = new kms.Key(this, 'AlertTopicKey', {
      description: 'Encrypts the Cognito drift alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted topic only if they may use its key.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'Cognito drift alerts',
      enforceSSL: true,
      masterKey: this.topicKey,
    });
    for (const email of settings.alertEmails) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
    if (settings.chatTopic) {
      this.chatTopic = new sns.Topic(this, 'ChatTopic', {
        displayName: 'Cognito drift alerts (chat)',
        enforceSSL: true,
      });
    }

    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', {
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Cognito drift detector: read-only Cognito, baseline bucket, alert topic, own logs',
    });
    this.grantFunctionPermissions(role, functionLogs);
    this.grantFindingSinks(role, settings);
    const organization = isOrganizationMode(settings);
    const organizationScope = organization ? new Construct(this, 'Organization') : undefined;
    const organizationLogs = organizationScope
      ? new logs.LogGroup(organizationScope, 'FunctionLogs', {
          retention,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    const organizationRole =
      organizationScope && organizationLogs
        ? this.createOrganizationRole(organizationScope, settings, organizationLogs)
        : undefined;
    // The key policy (not the role's) lets the function publish to the encrypted topic, so the role
    // keeps exactly the actions of the function's own AWS calls.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FunctionPublishes',
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (organizationRole) {
      this.topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OrganizationFunctionPublishes',
          principals: [new iam.ArnPrincipal(organizationRole.roleArn)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
    }
    const writers = [role, ...(organizationRole ? [organizationRole] : [])];
    this.digestKeySecret = this.createDigestKey(writers);
    this.restrictPublishing(writers);
    ({ policy: this.approverPolicy, role: this.approverRole } = this.createApprover());
    this.restrictBucketWrites(writers, this.approverRole);

    const functionProps: lambda.FunctionOptions & { runtime: lambda.Runtime } = {
      description: 'Scans Cognito user pools and app clients for configuration drift',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: settings.lambdaMemoryMb,
      timeout: Duration.seconds(settings.lambdaTimeoutSeconds),
      role,
      logGroup: functionLogs,
      environment: {
        BASELINE_BUCKET: this.bucket.bucketName,
        ALERT_TOPIC_ARN: this.topic.topicArn,
        DIGEST_KEY_SECRET_ARN: this.digestKeySecret.secretArn,
        ...(this.chatTopic ? { CHAT_TOPIC_ARN: this.chatTopic.topicArn } : {}),
        // QUOTA_SHARE, SURFACES, IGNORE_RULES, ...: each setting the function reads, named by the schema.
        // It scans its own account and region only: the organization settings are not its business.
        ...settingsEnvironment(withoutSettings(settings, ORGANIZATION_SETTINGS)),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // The bundle ships a source map; without this flag stack traces point into minified code.
        NODE_OPTIONS: '--enable-source-maps',
      },
    };
    this.function = bundledFunction(this, 'Function', functionProps, HANDLER_ENTRY, PREBUILT_BUNDLE);

    this.stateMachine = this.createStateMachine(settings, retention);

    if (organizationScope && organizationRole && organizationLogs) {
      this.organizationFunction = bundledFunction(
        organizationScope,
        'Function',
        {
          ...functionProps,
          description: 'Lists, scans and reports the (account, region) targets of an organization drift run',
          role: organizationRole,
          logGroup: organizationLogs,
          environment: {
            ...functionProps.environment,
            // The single-target settings and TARGET_ACCOUNTS, TARGET_REGIONS, ORGANIZATIONAL_UNITS,
            // MEMBER_ROLE_NAME, EXTERNAL_ID. The concurrency is the state machine's, not the function's.
            ...settingsEnvironment(withoutSettings(settings, ['maxConcurrentTargets'])),
          },
        },
        ORGANIZATION_HANDLER_ENTRY,
        PREBUILT_ORGANIZATION_BUNDLE,
      );
      this.organizationStateMachine = this.createOrganizationStateMachine(
        organizationScope,
        this.organizationFunction,
        settings,
      );
    }
    const scheduled = this.organizationStateMachine ?? this.stateMachine;

    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: `Starts a Cognito drift detection run (${settings.schedule})`,
      schedule: events.Schedule.expression(settings.schedule),
      targets: [
        new eventTargets.SfnStateMachine(scheduled, { input: events.RuleTargetInput.fromObject({}) }),
      ],
    });

    if (settings.realtime) this.realtimeRules.push(...this.createRealtimeRules());

    const notify = new SnsAction(this.topic);
    /** An alarm that fires when `metric` (a Sum over 5 minutes) reaches 1. */
    const onAny = (id: string, alarmDescription: string, metric: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const sumOverFiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    this.functionErrorsAlarm = onAny(
      'FunctionErrorsAlarm',
      'The Cognito drift detector function failed. Its log group has the error.',
      this.function.metricErrors(sumOverFiveMinutes),
    );
    this.runsFailedAlarm = onAny(
      'RunsFailedAlarm',
      'A Cognito drift detection run (state machine execution) failed.',
      scheduled.metricFailed(sumOverFiveMinutes),
    );
    this.runsTimedOutAlarm = onAny(
      'RunsTimedOutAlarm',
      'A Cognito drift detection run (state machine execution) timed out.',
      scheduled.metricTimedOut(sumOverFiveMinutes),
    );
    const organizationAlarms: cloudwatch.Alarm[] = [];
    if (this.organizationFunction) {
      this.organizationFunctionErrorsAlarm = onAny(
        'OrganizationFunctionErrorsAlarm',
        'The Cognito drift organization function failed (a target whose scan failed is reported as ' +
          'unreachable in the digest). Its log group has the error.',
        this.organizationFunction.metricErrors(sumOverFiveMinutes),
      );
      organizationAlarms.push(this.organizationFunctionErrorsAlarm);
      if (settings.realtime) {
        this.realtimeRunsFailedAlarm = onAny(
          'RealtimeRunsFailedAlarm',
          'A real-time Cognito drift check (execution of the single-target state machine) failed.',
          this.stateMachine.metricFailed(sumOverFiveMinutes),
        );
        organizationAlarms.push(this.realtimeRunsFailedAlarm);
      }
    }
    // Dead man's switch: no metric at all (nothing ran, or runs never finish) must alarm too.
    this.missedRunsAlarm = new cloudwatch.Alarm(this, 'MissedRunsAlarm', {
      alarmDescription:
        `No Cognito drift detection run completed in two schedule periods (2 x ${settings.schedulePeriodMinutes} min). ` +
        'Drift is not being watched: check the schedule rule, the state machine and the function.',
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.runsCompleted,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(settings.schedulePeriodMinutes),
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const alarm of [
      this.functionErrorsAlarm,
      this.runsFailedAlarm,
      this.runsTimedOutAlarm,
      this.missedRunsAlarm,
      ...organizationAlarms,
    ]) {
      alarm.addAlarmAction(notify);
    }
    this.dashboard = new DriftDashboard(this, 'Dashboard', {
      function: this.function,
      stateMachine: scheduled,
    });
  }

  /**
   * The rules of the real-time path, from the one table of watched write events: Cognito's, and web
   * ACL associations of user pools. Failed calls (with an `errorCode`) changed nothing and are left out.
   * The target receives only the fields a check reads (an input transformer: event id, name, time,
   * principal, resource ids); the rest of the record, `requestParameters` included, never reaches the
   * state machine.
   */
  private createRealtimeRules(): events.Rule[] {
    const target = new eventTargets.SfnStateMachine(this.stateMachine, { input: realtimeTargetInput() });
    const cognito = WRITE_EVENTS.filter((e) => e.eventSource !== 'wafv2.amazonaws.com');
    const waf = WRITE_EVENTS.filter((e) => e.eventSource === 'wafv2.amazonaws.com');
    return [
      new events.Rule(this, 'RealtimeCognitoWrites', {
        description:
          'Starts a targeted Cognito drift check when a watched Cognito write is recorded by CloudTrail',
        eventPattern: {
          source: [...new Set(cognito.map((e) => eventBridgeSource(e.eventSource)))],
          detailType: [CLOUDTRAIL_DETAIL_TYPE],
          detail: {
            eventSource: [...new Set(cognito.map((e) => e.eventSource))],
            eventName: cognito.map((e) => e.eventName),
            errorCode: events.Match.doesNotExist(),
          },
        },
        targets: [target],
      }),
      new events.Rule(this, 'RealtimeWebAclAssociations', {
        description:
          'Starts a targeted Cognito drift check when a web ACL is associated with or removed from a user pool',
        eventPattern: {
          source: ['aws.wafv2'],
          detailType: [CLOUDTRAIL_DETAIL_TYPE],
          detail: {
            eventSource: ['wafv2.amazonaws.com'],
            eventName: waf.map((e) => e.eventName),
            requestParameters: { resourceArn: events.Match.prefix(`arn:${Aws.PARTITION}:cognito-idp:`) },
            errorCode: events.Match.doesNotExist(),
          },
        },
        targets: [target],
      }),
    ];
  }

  /**
   * Only the function and CloudWatch alarms may publish: a principal of the account with a broad
   * `sns:Publish` could otherwise send fake "Resolved" or drift emails.
   */
  private restrictPublishing(functionRoles: readonly iam.IRole[]): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheDetectorAndAlarmsPublish',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnNotEquals: { 'aws:PrincipalArn': oneOrMany(functionRoles.map((r) => r.roleArn)) },
          StringNotEquals: { 'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com' },
        },
      }),
    );
  }

  /** The approver's managed policy and role: what `approve` and `history` call, nothing more. */
  private createApprover(): { policy: iam.ManagedPolicy; role: iam.Role } {
    const policy = new iam.ManagedPolicy(this, 'ApproverPolicy', {
      description:
        'Cognito drift: approve baselines and read their history (cognito-drift approve / history)',
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadDocumentsAndVersions',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [this.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'WriteBaselines',
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects('baselines/*')],
        }),
        new iam.PolicyStatement({
          sid: 'ListDocumentsAndVersions',
          actions: ['s3:ListBucket', 's3:ListBucketVersions'],
          resources: [this.bucket.bucketArn],
        }),
      ],
    });
    const role = new iam.Role(this, 'ApproverRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description:
        'Cognito drift: approve baselines (the only principal besides the detector that may write them)',
      managedPolicies: [policy],
      maxSessionDuration: Duration.hours(1),
    });
    const objects = `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/*]`;
    const baselines = `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/baselines/*]`;
    acknowledge(
      policy,
      objects,
      'approve reads the snapshot, state and baseline documents, and history reads old versions of a ' +
        'baseline, all keyed by pool id; read-only on the objects of this one bucket.',
    );
    acknowledge(
      policy,
      baselines,
      'Approving writes baselines/<poolId>.json for any pool the operator approves; writes are limited to that prefix.',
    );
    return { policy, role };
  }

  /**
   * Writes by prefix: `baselines/*` only by the function and the approver role, every other key only
   * by the function. Anyone else in the account who can write the bucket can no longer approve drift
   * or silence alerts by editing documents.
   */
  private restrictBucketWrites(functionRoles: readonly iam.IRole[], approverRole: iam.IRole): void {
    const functionArns = functionRoles.map((r) => r.roleArn);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheDetectorAndApproversWriteBaselines',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('baselines/*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...functionArns, approverRole.roleArn] } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheDetectorWritesItsDocuments',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        notResources: [this.bucket.arnForObjects('baselines/*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': oneOrMany(functionArns) } },
      }),
    );
  }

  /** What both functions need besides their reads: the bucket (no delete), the topics, their own logs. */
  private documentAlertAndLogStatements(logGroup: logs.LogGroup): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadWriteBaselines',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'ListBaselines',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn, ...(this.chatTopic ? [this.chatTopic.topicArn] : [])],
      }),
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ];
  }

  /**
   * The HMAC key of every stored digest (`lambda/core/digest-key.ts`): a secret whose value Secrets
   * Manager generates at deployment, read once per cold start by the scan functions, the only
   * principals this stack lets read it. Kept when the stack is deleted, like the bucket whose digests
   * it keys: without it, every stored digest would read as changed.
   */
  private createDigestKey(readers: readonly iam.Role[]): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'DigestKey', {
      description:
        'Cognito drift: HMAC key of the digests of identity-provider secrets and hosted-UI content in the baseline bucket',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const reader of readers)
      reader.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadDigestKey',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secret.secretArn],
        }),
      );
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Not rotated on a schedule: it keys digests stored in the baselines, and a new key would make every ' +
        'stored secret and hosted-UI digest read as changed. It is no credential to any system; rotate it by ' +
        'approving fresh baselines after replacing it (README, Failure modes).',
    );
    return secret;
  }

  /**
   * The function's permissions, written out statement by statement: read-only Cognito, get/put/list
   * on the bucket (no delete), publish to the topic, write to its own log group. No managed policy.
   */
  private grantFindingSinks(role: iam.Role, settings: DetectorSettings): void {
    if (settings.events) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'PutDriftEvents',
          actions: ['events:PutEvents'],
          resources: [`arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`],
          // Only events of its own source: it cannot impersonate another application on the bus.
          conditions: { StringEquals: { 'events:source': EVENT_SOURCE } },
        }),
      );
    }
    if (settings.securityHub) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ImportSecurityHubFindings',
          actions: ['securityhub:BatchImportFindings'],
          resources: [
            `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`,
          ],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          // To import only what changed, and archive what was resolved: its own findings, read back.
          sid: 'ReadSecurityHubFindings',
          actions: ['securityhub:GetFindings'],
          resources: [`arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:hub/default`],
        }),
      );
    }
  }

  private grantFunctionPermissions(role: iam.Role, logGroup: logs.LogGroup): void {
    // Pseudo parameters even when the stack has a concrete environment, so the ARN (and the cdk-nag
    // finding id acknowledged below) is the same string everywhere.
    const userPools = `arn:${Aws.PARTITION}:cognito-idp:${Aws.REGION}:${Aws.ACCOUNT_ID}:userpool/*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListUserPools',
        actions: ['cognito-idp:ListUserPools'],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadUserPools',
        actions: [...USER_POOL_READ_ACTIONS],
        resources: [userPools],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeDomains',
        // Catalog reads that name no pool (a domain) support no resource-level permission.
        actions: UNSCOPED_READS('cognito-idp'),
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        // Neither action supports resource-level permissions.
        sid: 'LookUpCloudTrail',
        actions: ['cloudtrail:LookupEvents', 'cloudtrail:DescribeTrails'],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListIdentityPoolsOfAccount',
        actions: UNSCOPED_READS('cognito-identity'),
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadIdentityPools',
        actions: CATALOG_READS.identitypool,
        resources: [`arn:${Aws.PARTITION}:cognito-identity:${Aws.REGION}:${Aws.ACCOUNT_ID}:identitypool/*`],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListWebAcls',
        // Lists the account's regional web ACLs (once per run); no resource-level permission.
        actions: UNSCOPED_READS('wafv2'),
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWebAclOfPools',
        actions: CATALOG_READS.webacl,
        resources: [`arn:${Aws.PARTITION}:wafv2:${Aws.REGION}:${Aws.ACCOUNT_ID}:regional/webacl/*/*`],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTrailStatus',
        actions: ['cloudtrail:GetTrailStatus'],
        resources: [`arn:${Aws.PARTITION}:cloudtrail:*:*:trail/*`],
      }),
    );
    for (const statement of this.documentAlertAndLogStatements(logGroup)) role.addToPolicy(statement);

    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      `cognito-idp:ListUserPools, ${CATALOG_READS.none.join(', ')}, ` +
        'cloudtrail:LookupEvents and cloudtrail:DescribeTrails support no resource-level permissions; they are ' +
        'the only actions on "*", all read-only.',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-identity:<AWS::Region>:<AWS::AccountId>:identitypool/*]',
      'The detector reads every identity pool of the account and region (Describe/GetRoles, read-only).',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:wafv2:<AWS::Region>:<AWS::AccountId>:regional/webacl/*/*]',
      'Which web ACL guards a pool is what is watched, so it cannot be named in advance; the actions are read-only.',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
      'The detector reads every user pool of the account and region, and new pools must be covered without a ' +
        'redeploy; the actions on userpool/* are read-only (Describe/List).',
    );
    this.acknowledgeTrailAndDocumentGrants(role);
  }

  /** The two wildcard grants both functions share, and why each is needed. */
  private acknowledgeTrailAndDocumentGrants(role: iam.IRole): void {
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
      'The daily trail check reads the logging status of whichever trail covers the region, including ' +
        'multi-Region and organization trails homed in another region or account; read-only.',
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/*]`,
      'Documents are keyed by account, region and pool, not known at deploy time; only s3:GetObject and ' +
        's3:PutObject on the objects of this one bucket (no delete: versions are kept).',
    );
  }

  /**
   * The organization function's role: the scan's reads in its own account (in the scanned regions),
   * CloudTrail lookups and the daily trail check as the single-target function has them,
   * `sts:AssumeRole` on exactly the member role of the listed accounts (of any account for
   * `organization`), the Organizations listing for `organization`, `account:ListRegions` for
   * `all-enabled`, and the bucket, topic and log group as the single-target function has them.
   */
  private createOrganizationRole(
    scope: Construct,
    settings: DetectorSettings,
    logGroup: logs.LogGroup,
  ): iam.Role {
    const { accounts, regions } = targetSelection(settings);
    const role = new iam.Role(scope, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Cognito drift organization run: read-only Cognito, assume the member roles, baseline bucket, alert topic',
    });
    // In its own account the function reads with its own credentials; in the regions it scans.
    const regionParts =
      regions.kind === 'stack' ? [Aws.REGION] : regions.kind === 'list' ? regions.regions : ['*'];
    const own = (service: string, resource: string) =>
      regionParts.map((region) => `arn:${Aws.PARTITION}:${service}:${region}:${Aws.ACCOUNT_ID}:${resource}`);
    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'ListWithoutResourceLevelPermissions',
        actions: ['cognito-idp:ListUserPools', ...CATALOG_READS.none],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadUserPools',
        actions: [...USER_POOL_READ_ACTIONS],
        resources: own('cognito-idp', 'userpool/*'),
      }),
      new iam.PolicyStatement({
        sid: 'ReadIdentityPools',
        actions: CATALOG_READS.identitypool,
        resources: own('cognito-identity', 'identitypool/*'),
      }),
      new iam.PolicyStatement({
        sid: 'ReadWebAclOfPools',
        actions: CATALOG_READS.webacl,
        resources: own('wafv2', 'regional/webacl/*/*'),
      }),
      new iam.PolicyStatement({
        // Neither action supports resource-level permissions. LookupEvents: who changed a pool of its
        // own account (member accounts: through their role); DescribeTrails: the daily trail check.
        sid: 'LookUpCloudTrail',
        actions: ['cloudtrail:LookupEvents', 'cloudtrail:DescribeTrails'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadTrailStatus',
        actions: ['cloudtrail:GetTrailStatus'],
        resources: [`arn:${Aws.PARTITION}:cloudtrail:*:*:trail/*`],
      }),
      ...this.documentAlertAndLogStatements(logGroup),
    ];
    const memberRole = (account: string) =>
      `arn:${Aws.PARTITION}:iam::${account}:role/${settings.memberRoleName}`;
    if (accounts.kind !== 'self') {
      statements.push(
        new iam.PolicyStatement({
          sid: 'AssumeMemberRoles',
          actions: ['sts:AssumeRole'],
          resources: accounts.kind === 'list' ? accounts.accountIds.map(memberRole) : [memberRole('*')],
        }),
      );
    }
    if (accounts.kind === 'organization') {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ListOrganizationAccounts',
          // With OUs the listing walks them (lambda/org/list-targets.ts); without, it lists every account.
          actions:
            accounts.organizationalUnits.length > 0
              ? ['organizations:ListAccountsForParent', 'organizations:ListChildren']
              : ['organizations:ListAccounts'],
          resources: ['*'],
        }),
      );
    }
    if (regions.kind === 'all-enabled') {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ListEnabledRegions',
          // Of its own account only: in other accounts the member role lists them.
          actions: ['account:ListRegions'],
          resources: [`arn:${Aws.PARTITION}:account::${Aws.ACCOUNT_ID}:account`],
        }),
      );
    }
    for (const statement of statements) role.addToPolicy(statement);

    const shown = (region: string) => (region === Aws.REGION ? '<AWS::Region>' : region);
    for (const region of regionParts) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:${shown(region)}:<AWS::AccountId>:userpool/*]`,
        'The organization run reads every user pool of its own account in each scanned region, new pools ' +
          'included; the actions on userpool/* are read-only (Describe/List/Get).',
      );
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-identity:${shown(region)}:<AWS::AccountId>:identitypool/*]`,
        'The organization run reads every identity pool of its own account in each scanned region (read-only).',
      );
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:wafv2:${shown(region)}:<AWS::AccountId>:regional/webacl/*/*]`,
        'Which web ACL guards a pool is what is watched, so it cannot be named in advance; read-only.',
      );
    }
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      `cognito-idp:ListUserPools, ${CATALOG_READS.none.join(', ')}, ` +
        'cloudtrail:LookupEvents, cloudtrail:DescribeTrails and the organizations:List* actions support no ' +
        'resource-level permissions; all are read-only.',
    );
    this.acknowledgeTrailAndDocumentGrants(role);
    if (accounts.kind === 'organization') {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${settings.memberRoleName}]`,
        'accounts=organization scans every active account of the organization, read at run time: the member ' +
          'role of any account, by its one name; each member role trusts only this role (aws:PrincipalArn).',
      );
    }
    return role;
  }

  /** The organization run (`lib/organization-scan.ts`) with its own log group, traced like the other. */
  private createOrganizationStateMachine(
    scope: Construct,
    fn: lambda.Function,
    settings: DetectorSettings,
  ): sfn.StateMachine {
    const { accounts, regions } = targetSelection(settings);
    const listed =
      (accounts.kind === 'list' ? accounts.accountIds.length : 1) *
      (regions.kind === 'list' ? regions.regions.length : 1);
    const distributed =
      accounts.kind === 'organization' ||
      regions.kind === 'all-enabled' ||
      listed >= DISTRIBUTED_MAP_THRESHOLD;
    const stateMachineLogs = new logs.LogGroup(scope, 'StateMachineLogs', {
      retention: settings.logRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
      comment: 'One Cognito drift organization run: list the targets, scan each, send one digest',
      definitionBody: sfn.DefinitionBody.fromChainable(
        organizationScanDefinition(scope, {
          fn,
          maxConcurrentTargets: settings.maxConcurrentTargets,
          maxInvocationsPerTarget: settings.maxInvocationsPerRun,
          distributed,
          bucketName: this.bucket.bucketName,
        }),
      ),
      tracingEnabled: true,
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    acknowledge(
      stateMachine.role,
      `AwsSolutions-IAM5[Resource::<${logicalId(fn)}.Arn>:*]`,
      'Generated by the Step Functions LambdaInvoke tasks: invoking versions and aliases of the organization ' +
        'function only.',
    );
    acknowledge(
      stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Generated by Step Functions for execution logging (logs:*LogDelivery, PutResourcePolicy, Describe*) and ' +
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*); these actions do not support ' +
        'resource-level permissions.',
    );
    if (distributed) {
      // The Distributed Map's ItemReader reads the run's items (the list step's items.json): only
      // the organization run documents, nothing else of the bucket.
      stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadOrganizationRunItems',
          actions: ['s3:GetObject'],
          resources: [this.bucket.arnForObjects(`${ORGANIZATION_RUN_PREFIX}*`)],
        }),
      );
      acknowledge(
        stateMachine.role,
        `AwsSolutions-IAM5[Resource::<${logicalId(this.bucket)}.Arn>/${ORGANIZATION_RUN_PREFIX}*]`,
        "The Distributed Map reads each organization run's items, a key named per run under this one prefix.",
      );
    }
    const mapPolicy = stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (distributed && mapPolicy) {
      // The Distributed Map's child executions, named by Step Functions at run time.
      const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(stateMachine)}"}]}]}`;
      // Step Functions builds these ARNs with the stack's region and account: pseudo parameters in an
      // environment-agnostic stack, the concrete values when the CDK CLI supplies an environment.
      const { region, account } = nagEnvironment(Stack.of(stateMachine));
      for (const executions of [`${name}:*`, `${name}/*:*`]) {
        acknowledge(
          mapPolicy,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${executions}]`,
          'Generated by Step Functions for the Distributed Map: describe and stop the child executions of this ' +
            'one state machine, whose names are chosen at run time.',
        );
      }
    }
    return stateMachine;
  }

  private createStateMachine(settings: DetectorSettings, retention: logs.RetentionDays): sfn.StateMachine {
    const maxInvocations = settings.maxInvocationsPerRun;
    // State: { request: { runId? }, iteration: number of the next invocation, result?: { done, runId } }
    const startRun = new sfn.Pass(this, 'StartRun', {
      comment: 'A new run: the first invocation gets no runId',
      parameters: { request: {}, iteration: 1 },
    });
    const scan = new tasks.LambdaInvoke(this, 'Scan', {
      comment: 'Scan until the time budget is used; returns { done, runId }',
      lambdaFunction: this.function,
      // The payload is the request object; the result goes next to it, keeping the counter.
      inputPath: '$.request',
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.result',
    });
    scan.addRetry({
      errors: LAMBDA_SERVICE_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const continueRun = new sfn.Pass(this, 'ContinueRun', {
      comment: 'Resume the same run in a new invocation',
      parameters: {
        request: { 'runId.$': '$.result.runId' },
        'iteration.$': 'States.MathAdd($.iteration, 1)',
      },
    });
    const tooManyInvocations = new sfn.Fail(this, 'TooManyInvocations', {
      error: 'CognitoDrift.TooManyInvocations',
      cause: `The run did not report done within ${maxInvocations} invocations`,
    });
    // A real-time event (the rule's input: the named fields only) goes to the function as it is: one invocation
    // queues it, waits the debounce window if it opened the batch, and checks its pools.
    const realtimeCheck = new sfn.Pass(this, 'RealtimeCheck', {
      comment: 'An "AWS API Call via CloudTrail" event: the function checks the pools it names',
      parameters: { 'request.$': '$', iteration: 1 },
    });
    startRun.next(scan);
    realtimeCheck.next(scan);
    const trigger = new sfn.Choice(this, 'Trigger')
      .when(sfn.Condition.isPresent('$.detail-type'), realtimeCheck)
      .otherwise(startRun);
    scan.next(
      new sfn.Choice(this, 'RunDone')
        .when(sfn.Condition.booleanEquals('$.result.done', true), new sfn.Succeed(this, 'RunComplete'))
        .otherwise(
          continueRun.next(
            new sfn.Choice(this, 'InvocationBudgetLeft')
              .when(sfn.Condition.numberGreaterThan('$.iteration', maxInvocations), tooManyInvocations)
              .otherwise(scan),
          ),
        ),
    );
    const definition = trigger;

    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'One Cognito drift detection run',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      // Every state transition is logged, without its input and output: a run's data (real-time
      // events, results) stays out of the log group.
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(
      stateMachine.role,
      `AwsSolutions-IAM5[Resource::<${logicalId(this.function)}.Arn>:*]`,
      'Generated by the Step Functions LambdaInvoke task: it allows invoking versions and aliases of this one ' +
        'function only.',
    );
    acknowledge(
      stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Generated by Step Functions for execution logging (logs:*LogDelivery, PutResourcePolicy, Describe*) and ' +
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*); these actions do not support ' +
        'resource-level permissions.',
    );
    return stateMachine;
  }
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The stack's region and account as cdk-nag prints them in finding ids: `<AWS::Region>` and
 * `<AWS::AccountId>` for an environment-agnostic stack, the values themselves for a concrete one.
 */
function nagEnvironment(stack: Stack): { region: string; account: string } {
  return {
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
    account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
  };
}

/**
 * What a real-time rule hands the state machine: the event's source and detail type, and of its
 * detail only {@link realtimeEventPaths}, each at its own path, so the function reads it as it would
 * the whole event.
 */
function realtimeTargetInput(): events.RuleTargetInput {
  const detail: Record<string, unknown> = {};
  for (const path of realtimeEventPaths()) {
    const keys = path.split('.');
    let node = detail;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = events.EventField.fromPath(`$.detail.${path}`);
  }
  return events.RuleTargetInput.fromObject({
    source: events.EventField.source,
    'detail-type': events.EventField.detailType,
    detail,
  });
}

/** The logical id of a construct's CloudFormation resource, as cdk-nag prints it in finding ids. */
function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(resource))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).resolve(resource.logicalId);
}

/** One value as itself, several as a list: a policy condition reads the same as before with one. */
function oneOrMany(values: readonly string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : [...values];
}

/** The settings without some of them, for an environment that must not carry those. */
function withoutSettings(
  settings: DetectorSettings,
  names: readonly SettingName[],
): Partial<Record<SettingName, unknown>> {
  const kept: Record<string, unknown> = { ...settings };
  for (const name of names) delete kept[name];
  return kept;
}

/**
 * A function from the package's prebuilt bundle when there is one, else bundled here from its
 * TypeScript entry with the same options as the prebuilt bundle (bench/bundle.ts, scripts/build.ts).
 */
function bundledFunction(
  scope: Construct,
  id: string,
  props: lambda.FunctionOptions & { runtime: lambda.Runtime },
  entry: string,
  prebuilt: string,
): lambda.Function {
  if (existsSync(join(prebuilt, 'index.mjs'))) {
    return new lambda.Function(scope, id, {
      ...props,
      code: lambda.Code.fromAsset(prebuilt),
      handler: 'index.handler',
    });
  }
  return new NodejsFunction(scope, id, {
    ...props,
    entry,
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      // Bundled CommonJS dependencies call require(); ESM has none, so define it.
      banner:
        "import { createRequire as __cdkCreateRequire } from 'node:module'; const require = __cdkCreateRequire(import.meta.url);",
      mainFields: ['module', 'main'],
      target: 'node22',
      minify: true,
      sourceMap: true,
      // Bundle the AWS SDK too, so the versions pinned in package-lock.json are the ones that run.
      externalModules: [],
    },
  });
}
