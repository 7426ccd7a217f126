import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { readActionsByResource } from '../lambda/core/catalog.js';
import { EVENT_SOURCE } from '../lambda/core/drift-events.js';
import { CATALOG } from '../lambda/surfaces/index.js';
import { type DetectorSettings, targetSelection } from './config.js';
import { acknowledge, logicalId } from './nag-suppressions.js';

/**
 * The scan functions' IAM statements, derived from the surface catalog (its read actions by resource)
 * and from what the bundled code calls, with the cdk-nag acknowledgement of each wildcard.
 */

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

/**
 * The reads of what pools point to (issue 19): their Lambda triggers, the IAM roles they hand out
 * or act as (and the managed policies attached to those, AWS managed ones included) and the custom
 * senders' KMS key, each on its own kind of resource, with the cdk-nag acknowledgement of each
 * wildcard. Which function, role or key a pool uses is what is watched, so none is named in advance.
 */
function referenceStatements(
  regions: readonly string[],
  shown: (region: string) => string,
): { statements: iam.PolicyStatement[]; acknowledgements: [string, string][] } {
  const inRegions = (service: string, resource: string) =>
    regions.map((region) => `arn:${Aws.PARTITION}:${service}:${region}:${Aws.ACCOUNT_ID}:${resource}`);
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadTriggerFunctions',
      actions: CATALOG_READS.function,
      resources: inRegions('lambda', 'function:*'),
    }),
    new iam.PolicyStatement({
      sid: 'ReadReferencedRoles',
      actions: CATALOG_READS.role,
      resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAttachedPolicies',
      actions: CATALOG_READS.policy,
      resources: [`arn:${Aws.PARTITION}:iam::*:policy/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadSenderKeys',
      actions: CATALOG_READS.key,
      resources: inRegions('kms', 'key/*'),
    }),
  ];
  const lambdaWhy =
    'Which trigger functions a pool runs is what is watched, so they cannot be named in advance; only ' +
    'the function configuration and resource policy reads (no code download, no invoke).';
  const keyWhy =
    "Which KMS key a pool's custom senders use is what is watched; only its description and key " +
    'policy are read (no decrypt, no other use of the key).';
  const acknowledgements: [string, string][] = [
    ...regions.map((r): [string, string] => [
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:${shown(r)}:<AWS::AccountId>:function:*]`,
      lambdaWhy,
    ]),
    [
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
      'Which IAM roles the pools hand out (groups, identity pools) or act as (SMS) is what is watched; ' +
        'only the role and its trust, attached and inline policy documents are read.',
    ],
    [
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:policy/*]',
      'The managed policies attached to those roles, AWS managed ones included (they live in the ' +
        'account "aws"); only their versions and default version document are read.',
    ],
    ...regions.map((r): [string, string] => [
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${shown(r)}:<AWS::AccountId>:key/*]`,
      keyWhy,
    ]),
  ];
  return { statements, acknowledgements };
}

/** Where the functions keep documents and send alerts: what their grants name. */
export interface DetectorStores {
  readonly bucket: s3.IBucket;
  readonly topic: sns.ITopic;
  readonly chatTopic?: sns.ITopic;
}

/** What both functions need besides their reads: the bucket (no delete), the topics, their own logs. */
function documentAlertAndLogStatements(
  stores: DetectorStores,
  logGroup: logs.LogGroup,
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadWriteBaselines',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [stores.bucket.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: 'ListBaselines',
      actions: ['s3:ListBucket'],
      resources: [stores.bucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'PublishAlerts',
      actions: ['sns:Publish'],
      resources: [stores.topic.topicArn, ...(stores.chatTopic ? [stores.chatTopic.topicArn] : [])],
    }),
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  ];
}

/** The optional finding sinks (`events`, `securityHub`): their grants, only when enabled. */
export function grantFindingSinks(role: iam.Role, settings: DetectorSettings): void {
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

/**
 * The function's permissions, written out statement by statement: read-only Cognito, get/put/list
 * on the bucket (no delete), publish to the topic, write to its own log group. No managed policy.
 */
export function grantFunctionPermissions(
  role: iam.Role,
  stores: DetectorStores,
  logGroup: logs.LogGroup,
): void {
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
  for (const statement of documentAlertAndLogStatements(stores, logGroup)) role.addToPolicy(statement);
  const references = referenceStatements([Aws.REGION], () => '<AWS::Region>');
  for (const statement of references.statements) role.addToPolicy(statement);
  for (const [finding, reason] of references.acknowledgements) acknowledge(role, finding, reason);

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
  acknowledgeTrailAndDocumentGrants(role, stores.bucket);
}

/** The two wildcard grants both functions share, and why each is needed. */
function acknowledgeTrailAndDocumentGrants(role: iam.IRole, bucket: s3.IBucket): void {
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
    'The daily trail check reads the logging status of whichever trail covers the region, including ' +
      'multi-Region and organization trails homed in another region or account; read-only.',
  );
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::<${logicalId(bucket)}.Arn>/*]`,
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
export function createOrganizationRole(
  scope: Construct,
  settings: DetectorSettings,
  logGroup: logs.LogGroup,
  stores: DetectorStores,
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
    ...documentAlertAndLogStatements(stores, logGroup),
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
  const shown = (region: string) => (region === Aws.REGION ? '<AWS::Region>' : region);
  const references = referenceStatements(regionParts, shown);
  statements.push(...references.statements);
  for (const statement of statements) role.addToPolicy(statement);
  for (const [finding, reason] of references.acknowledgements) acknowledge(role, finding, reason);

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
  acknowledgeTrailAndDocumentGrants(role, stores.bucket);
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
