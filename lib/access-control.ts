import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { acknowledge, logicalId } from './nag-suppressions.js';

/**
 * Who besides the scan functions may touch the detector's stores: the topic's and bucket's resource
 * policies, the approver's policy and role, and the digest key's readers.
 */

/**
 * Only the function and CloudWatch alarms may publish: a principal of the account with a broad
 * `sns:Publish` could otherwise send fake "Resolved" or drift emails.
 */
export function restrictPublishing(topic: sns.ITopic, functionRoles: readonly iam.IRole[]): void {
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheDetectorAndAlarmsPublish',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnNotEquals: { 'aws:PrincipalArn': oneOrMany(functionRoles.map((r) => r.roleArn)) },
        StringNotEquals: { 'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com' },
      },
    }),
  );
}

/** The approver's managed policy and role: what `approve` and `history` call, nothing more. */
export function createApprover(
  scope: Construct,
  bucket: s3.IBucket,
): { policy: iam.ManagedPolicy; role: iam.Role } {
  const policy = new iam.ManagedPolicy(scope, 'ApproverPolicy', {
    description: 'Cognito drift: approve baselines and read their history (cognito-drift approve / history)',
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadDocumentsAndVersions',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'WriteBaselines',
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('baselines/*')],
      }),
      new iam.PolicyStatement({
        sid: 'ListDocumentsAndVersions',
        actions: ['s3:ListBucket', 's3:ListBucketVersions'],
        resources: [bucket.bucketArn],
      }),
    ],
  });
  const role = new iam.Role(scope, 'ApproverRole', {
    assumedBy: new iam.AccountRootPrincipal(),
    description:
      'Cognito drift: approve baselines (the only principal besides the detector that may write them)',
    managedPolicies: [policy],
    maxSessionDuration: Duration.hours(1),
  });
  const objects = `AwsSolutions-IAM5[Resource::<${logicalId(bucket)}.Arn>/*]`;
  const baselines = `AwsSolutions-IAM5[Resource::<${logicalId(bucket)}.Arn>/baselines/*]`;
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
export function restrictBucketWrites(
  bucket: s3.IBucket,
  functionRoles: readonly iam.IRole[],
  approverRole: iam.IRole,
): void {
  const functionArns = functionRoles.map((r) => r.roleArn);
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheDetectorAndApproversWriteBaselines',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('baselines/*')],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...functionArns, approverRole.roleArn] } },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheDetectorWritesItsDocuments',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      notResources: [bucket.arnForObjects('baselines/*')],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': oneOrMany(functionArns) } },
    }),
  );
}

/**
 * The HMAC key of every stored digest (`lambda/core/digest-key.ts`): a secret whose value Secrets
 * Manager generates at deployment, read once per cold start by the scan functions, the only
 * principals this stack lets read it. Kept when the stack is deleted, like the bucket whose digests
 * it keys: without it, every stored digest would read as changed.
 */
export function createDigestKey(scope: Construct, readers: readonly iam.Role[]): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'DigestKey', {
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

/** One value as itself, several as a list: a policy condition reads the same as before with one. */
function oneOrMany(values: readonly string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : [...values];
}
