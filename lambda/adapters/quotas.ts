/**
 * The one table of AWS request-rate quotas for every operation cognito-drift calls in a loop (the
 * reads, and the finding sinks' calls).
 *
 * Numbers are AWS's documented defaults per account and Region (requests per second), or per account
 * for a global service (`scope: 'account'`). Each entry names the page it comes from. Where the
 * stored copy of a page did not show a number or a mapping, the comment says so and the entry uses
 * the most conservative documented neighbour.
 *
 * Cognito user pools group operations into categories that share one account-level rate; some
 * categories also limit any single operation on a single pool ("*" rows of the table).
 */

import { catalogOperations } from '../core/catalog.js';
import { CATALOG } from '../surfaces/index.js';

/**
 * Where a category's rate applies: `region`, to one account in one Region (a regional service's
 * endpoint); `account`, to the whole account, shared by every Region (a global service, IAM).
 */
export type QuotaScope = 'region' | 'account';

/** A documented quota bucket: requests per second for the account and region; perPool when Cognito also limits one pool. */
export interface QuotaSpec {
  /** Requests per second, per account and Region (or per account, with `scope: 'account'`). */
  rps: number;
  /**
   * What shares the rate. @default 'region': each (account, Region) has its own. `account`: every
   * Region's readers of one account share it, so an organization run divides it among that
   * account's targets, and the stand-in keeps one bucket per account.
   */
  scope?: QuotaScope;
  /** Requests per second for any one operation of the category on one user pool, where documented. */
  perPoolPerOperationRps?: number;
  /** Where the number comes from (URL of the AWS page, and the Service Quotas code when there is one). */
  source: string;
}

export type QuotaCategory =
  | 'UserPoolRead'
  | 'UserPoolClientRead'
  | 'UserPoolResourceRead'
  | 'IdentityPool.ListIdentityPools'
  | 'IdentityPool.DescribeIdentityPool'
  | 'IdentityPool.GetIdentityPoolRoles'
  | 'WAFv2.GetWebACLForResource'
  | 'WAFv2.ListWebACLs'
  | 'WAFv2.ListResourcesForWebACL'
  | 'CloudTrail.LookupEvents'
  | 'CloudTrail.DescribeTrails'
  | 'CloudTrail.GetTrailStatus'
  | 'SecurityHub.GetFindings'
  | 'SecurityHub.BatchImportFindings'
  | 'EventBridge.PutEvents'
  | 'Lambda.ControlPlane'
  | 'Lambda.GetPolicy'
  | 'IAM.Read'
  | 'KMS.DescribeKey'
  | 'KMS.GetKeyPolicy';

const COGNITO_QUOTAS_PAGE = 'https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html';
const IDENTITY_POOL_QUOTAS = `${COGNITO_QUOTAS_PAGE}#amazon-cognito-identity-pools-federated-identities-request-rate-quotas`;
/**
 * The identity-pool table of the Cognito quotas page was not readable in the stored copy, and Service
 * Quotas lists no quota for the three identity-pool reads (list, describe, roles). The
 * documented read operation of the same service with the lowest rate is ListIdentities, 5 requests per
 * second (Service Quotas L-DBF99350), so that is used for each. Replace it when the page is checked.
 */
const IDENTITY_POOL_NEIGHBOUR_RPS = 5;
const IDENTITY_POOL_NEIGHBOUR_NOTE =
  'not found on the page; uses the documented neighbour ListIdentities, 5 rps (Service Quotas L-DBF99350)';
const WAF_QUOTAS_PAGE = 'https://docs.aws.amazon.com/waf/latest/developerguide/limits.html';
/**
 * WAF's quota page names a call rate for the web ACL of one resource only; the stored copies of the
 * page show none for listing the web ACLs or the resources of one. Each is paced at that documented
 * read rate, 1 request per second, until the page is checked (the web-acl surface says so on each
 * operation); the adaptive pacer (`adaptive-rate.ts`) slows a category further if an account
 * throttles it.
 */
const WAF_LIST_ASSUMED_NOTE =
  'assumed: no per-operation rate in the stored copy of the page; uses the documented rate of the web ACL of a resource, 1 rps';
const SECURITY_HUB_API = 'https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html';
const LAMBDA_QUOTAS_PAGE =
  'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html#api-requests';
const KMS_QUOTAS_PAGE = 'https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html';
/**
 * IAM documents no request rate for its read operations (the IAM and STS quotas page lists object
 * counts and sizes only). The reads of roles and policies are paced at an assumed 10 requests per
 * second for the account, shared by all of them; the adaptive pacer slows further on IAM's
 * `Throttling` answer.
 *
 * The rate is the account's, not a Region's: IAM is global. Its endpoint is `iam.amazonaws.com` for
 * every commercial Region (https://docs.aws.amazon.com/general/latest/gr/iam-service.html), there is
 * one IAM control plane for all of them, in us-east-1, which the reads of roles and policies go to
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/disaster-recovery-resiliency.html), and "API
 * calls from the AWS Management Console, the AWS CLI, and applications contribute to a maximum rate
 * limit for your AWS account", answered `Throttling: Rate exceeded`, not increasable
 * (https://repost.aws/knowledge-center/iam-sts-throttling-error). So `scope: 'account'`.
 */
const IAM_ASSUMED_NOTE =
  'assumed: the IAM quotas page documents no request rate for reads; 10 rps for all of them, slowed on throttling';
const CLOUDTRAIL_QUOTAS_PAGE =
  'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html';

export const QUOTAS: Readonly<Record<QuotaCategory, QuotaSpec>> = {
  // "Operations that read your user pools", 15 rps, not adjustable, no per-pool row (Service Quotas L-CFFBE34A).
  UserPoolRead: { rps: 15, source: `${COGNITO_QUOTAS_PAGE}#category_operations (Service Quotas L-CFFBE34A)` },
  // "Operations that list your user pool clients *", 15 rps per account (L-A412573D), 5 per pool (L-F122EFFD).
  UserPoolClientRead: {
    rps: 15,
    perPoolPerOperationRps: 5,
    source: `${COGNITO_QUOTAS_PAGE}#category_operations (Service Quotas L-A412573D, per pool L-F122EFFD)`,
  },
  // "Operations that retrieve a resource from a user pool, such as group *", 20 rps per account
  // (L-A01C9633), 5 per pool (L-181E40D0).
  UserPoolResourceRead: {
    rps: 20,
    perPoolPerOperationRps: 5,
    source: `${COGNITO_QUOTAS_PAGE}#category_operations (Service Quotas L-A01C9633, per pool L-181E40D0)`,
  },
  'IdentityPool.ListIdentityPools': {
    rps: IDENTITY_POOL_NEIGHBOUR_RPS,
    source: `${IDENTITY_POOL_QUOTAS} (${IDENTITY_POOL_NEIGHBOUR_NOTE})`,
  },
  'IdentityPool.DescribeIdentityPool': {
    rps: IDENTITY_POOL_NEIGHBOUR_RPS,
    source: `${IDENTITY_POOL_QUOTAS} (${IDENTITY_POOL_NEIGHBOUR_NOTE})`,
  },
  'IdentityPool.GetIdentityPoolRoles': {
    rps: IDENTITY_POOL_NEIGHBOUR_RPS,
    source: `${IDENTITY_POOL_QUOTAS} (${IDENTITY_POOL_NEIGHBOUR_NOTE})`,
  },
  // "Maximum number of calls to" the web ACL of a resource: "one request per second", not adjustable.
  'WAFv2.GetWebACLForResource': {
    rps: 1,
    source: 'https://docs.aws.amazon.com/waf/latest/developerguide/limits.html',
  },
  // Once per run: one page of up to 100 regional web ACLs (the default maximum per account and Region).
  'WAFv2.ListWebACLs': { rps: 1, source: `${WAF_QUOTAS_PAGE} (${WAF_LIST_ASSUMED_NOTE})` },
  // Once per web ACL per run, for the user pools associated with it.
  'WAFv2.ListResourcesForWebACL': { rps: 1, source: `${WAF_QUOTAS_PAGE} (${WAF_LIST_ASSUMED_NOTE})` },
  // "The rate of lookup requests is limited to two per second, per account, per Region."
  'CloudTrail.LookupEvents': {
    rps: 2,
    source: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html',
  },
  // "Get, describe, and list APIs: 10 transactions per second", not adjustable.
  'CloudTrail.DescribeTrails': { rps: 10, source: CLOUDTRAIL_QUOTAS_PAGE },
  'CloudTrail.GetTrailStatus': { rps: 10, source: CLOUDTRAIL_QUOTAS_PAGE },
  // The Security Hub API reference's throttling list: GetFindings "RateLimit of 3 requests per
  // second, BurstLimit of 6"; BatchImportFindings "RateLimit of 10 requests per second, BurstLimit of 30".
  'SecurityHub.GetFindings': { rps: 3, source: SECURITY_HUB_API },
  'SecurityHub.BatchImportFindings': {
    rps: 10,
    source: 'https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-batchimportfindings.html',
  },
  // "PutEvents throttle limit in transactions per second": 10,000 in us-east-1, 2,400 in us-east-2,
  // lower in smaller Regions; the lowest default of the table, 400, stands for every Region (a run
  // sends a few calls at most).
  'EventBridge.PutEvents': {
    rps: 400,
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html',
  },
  // "Control plane API requests (excludes invocation, get-function and get-policy requests)": 15 rps,
  // not adjustable. Reading a function's configuration is one of them.
  'Lambda.ControlPlane': { rps: 15, source: LAMBDA_QUOTAS_PAGE },
  // "Get-policy API requests" (a function's resource policy): 15 rps, not adjustable.
  'Lambda.GetPolicy': { rps: 15, source: LAMBDA_QUOTAS_PAGE },
  'IAM.Read': {
    rps: 10,
    scope: 'account',
    source: `https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (${IAM_ASSUMED_NOTE})`,
  },
  // The page's "describe key" request rate: 2,000 rps; "get key policy": 1,000 rps (adjustable).
  'KMS.DescribeKey': { rps: 2000, source: KMS_QUOTAS_PAGE },
  'KMS.GetKeyPolicy': { rps: 1000, source: KMS_QUOTAS_PAGE },
};

/**
 * The reads of pools, app clients and CloudTrail, which are not catalog operations: their categories
 * are the ones the reader has always used (ListUserPools, DescribeUserPool: UserPoolRead; the three
 * client reads: UserPoolClientRead).
 */
const BASE_OPERATION_QUOTA: Readonly<Record<string, QuotaCategory>> = {
  ListUserPools: 'UserPoolRead',
  DescribeUserPool: 'UserPoolRead',
  ListUserPoolClients: 'UserPoolClientRead',
  DescribeUserPoolClient: 'UserPoolClientRead',
  ListUserPoolClientSecrets: 'UserPoolClientRead',
  LookupEvents: 'CloudTrail.LookupEvents',
  DescribeTrails: 'CloudTrail.DescribeTrails',
  GetTrailStatus: 'CloudTrail.GetTrailStatus',
  GetFindings: 'SecurityHub.GetFindings',
  BatchImportFindings: 'SecurityHub.BatchImportFindings',
  PutEvents: 'EventBridge.PutEvents',
};

/** Whether every Region of an account shares the category's rate (`scope: 'account'`). */
export function isAccountScoped(category: QuotaCategory): boolean {
  return QUOTAS[category].scope === 'account';
}

function isQuotaCategory(name: string): name is QuotaCategory {
  return Object.hasOwn(QUOTAS, name);
}

/**
 * Operation name without the `Command` suffix -> category: the reads above, and every catalog
 * operation with the category its surface declares. The per-operation lists of the Cognito table
 * were elided in the stored copy of the page; a surface says so on each operation whose category is
 * assumed (`quotaAssumed`), placed by the category descriptions ("read your user pools" for
 * pool-wide settings; "retrieve a resource from a user pool, such as group" for resources).
 */
export const OPERATION_QUOTA: Readonly<Record<string, QuotaCategory>> = {
  ...BASE_OPERATION_QUOTA,
  ...Object.fromEntries(
    catalogOperations(CATALOG).map((op) => {
      if (!isQuotaCategory(op.quota))
        throw new Error(`${op.name} names quota category ${op.quota}, which quotas.ts does not have`);
      return [op.name, op.quota];
    }),
  ),
};

/** The quota an operation is paced by; throws for an operation missing from the table (a bug, not a runtime state). */
export function quotaOf(operation: string): QuotaSpec & { category: QuotaCategory } {
  const name = operation.endsWith('Command') ? operation.slice(0, -'Command'.length) : operation;
  const category = OPERATION_QUOTA[name];
  if (category === undefined) throw new Error(`no quota category for operation ${name}: add it to quotas.ts`);
  return { category, ...QUOTAS[category] };
}
