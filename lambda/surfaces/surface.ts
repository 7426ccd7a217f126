import type {
  DescribeIdentityPoolCommandInput,
  DescribeIdentityPoolCommandOutput,
  GetIdentityPoolRolesCommandInput,
  GetIdentityPoolRolesCommandOutput,
  ListIdentityPoolsCommandInput,
  ListIdentityPoolsCommandOutput,
} from '@aws-sdk/client-cognito-identity';
import type {
  DescribeIdentityProviderCommandInput,
  DescribeIdentityProviderCommandOutput,
  DescribeRiskConfigurationCommandInput,
  DescribeRiskConfigurationCommandOutput,
  DescribeUserPoolDomainCommandInput,
  DescribeUserPoolDomainCommandOutput,
  GetLogDeliveryConfigurationCommandInput,
  GetLogDeliveryConfigurationCommandOutput,
  GetUICustomizationCommandInput,
  GetUICustomizationCommandOutput,
  GetUserPoolMfaConfigCommandInput,
  GetUserPoolMfaConfigCommandOutput,
  ListGroupsCommandInput,
  ListGroupsCommandOutput,
  ListIdentityProvidersCommandInput,
  ListIdentityProvidersCommandOutput,
  ListResourceServersCommandInput,
  ListResourceServersCommandOutput,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import type {
  GetWebACLForResourceCommandInput,
  GetWebACLForResourceCommandOutput,
  ListResourcesForWebACLCommandInput,
  ListResourcesForWebACLCommandOutput,
  ListWebACLsCommandInput,
  ListWebACLsCommandOutput,
} from '@aws-sdk/client-wafv2';
import type { SeverityRule } from '../core/severity.js';
import type { SurfaceSnapshot } from '../core/types.js';

/**
 * The read operations a surface may call, with their SDK shapes. The reader maps each name to its
 * SDK command, its client and its quota category (`lambda/adapters/quotas.ts`); a surface names the
 * operation and never sees a client, so it stays a declaration that tests can drive with a fake.
 */
export interface SurfaceOperations {
  GetUserPoolMfaConfig: [GetUserPoolMfaConfigCommandInput, GetUserPoolMfaConfigCommandOutput];
  DescribeRiskConfiguration: [DescribeRiskConfigurationCommandInput, DescribeRiskConfigurationCommandOutput];
  ListIdentityProviders: [ListIdentityProvidersCommandInput, ListIdentityProvidersCommandOutput];
  DescribeIdentityProvider: [DescribeIdentityProviderCommandInput, DescribeIdentityProviderCommandOutput];
  ListResourceServers: [ListResourceServersCommandInput, ListResourceServersCommandOutput];
  ListGroups: [ListGroupsCommandInput, ListGroupsCommandOutput];
  DescribeUserPoolDomain: [DescribeUserPoolDomainCommandInput, DescribeUserPoolDomainCommandOutput];
  GetLogDeliveryConfiguration: [
    GetLogDeliveryConfigurationCommandInput,
    GetLogDeliveryConfigurationCommandOutput,
  ];
  GetUICustomization: [GetUICustomizationCommandInput, GetUICustomizationCommandOutput];
  GetWebACLForResource: [GetWebACLForResourceCommandInput, GetWebACLForResourceCommandOutput];
  ListWebACLs: [ListWebACLsCommandInput, ListWebACLsCommandOutput];
  ListResourcesForWebACL: [ListResourcesForWebACLCommandInput, ListResourcesForWebACLCommandOutput];
  ListIdentityPools: [ListIdentityPoolsCommandInput, ListIdentityPoolsCommandOutput];
  DescribeIdentityPool: [DescribeIdentityPoolCommandInput, DescribeIdentityPoolCommandOutput];
  GetIdentityPoolRoles: [GetIdentityPoolRolesCommandInput, GetIdentityPoolRolesCommandOutput];
}
export type SurfaceOperation = keyof SurfaceOperations;

/** Sends one read operation, paced to its quota category. Rejects with the SDK's error. */
export type SendOperation = <K extends SurfaceOperation>(
  operation: K,
  input: SurfaceOperations[K][0],
) => Promise<SurfaceOperations[K][1]>;

/**
 * A read about the whole account and region whose answer serves every pool (which web ACL guards
 * which pool): made once per run and target, on first use, and shared by each pool's read.
 */
export interface AccountRead<T> {
  /** For logs and errors: what is read (`web ACL associations`). */
  readonly name: string;
  /** Reads it. Rejects when a read failed: every pool that needs it is then unreadable for its surface. */
  read(send: SendOperation): Promise<T>;
}

/** What a surface's read gets: the pool as DescribeUserPool returned it, its clients, and a sender. */
export interface SurfaceReadContext {
  poolId: string;
  /** DescribeUserPool's UserPool, raw (Domain, CustomDomain, Arn, UserPoolAddOns are read from it). */
  pool: UserPoolType;
  /** The pool's app clients (id and name) as read in this run. */
  clients: readonly { clientId: string; clientName: string }[];
  send: SendOperation;
  /**
   * This run's answer to an account-level read: read on first use, then the same promise for every
   * pool (a failure too). Absent for a targeted check of a few pools, where one call per pool costs
   * less than listing the account.
   */
  accountRead?: <T>(read: AccountRead<T>) => Promise<T>;
}

/**
 * One resource kind of a user pool, declared in one file: how it is read (operations), how it is
 * normalized (in `read`, with the helpers of `normalize.ts`), how it is named in alerts, and its
 * severity rules. Adding a surface is adding a module and listing it in `index.ts`.
 */
export interface Surface {
  /** The key in snapshots and in `-c surfaces=`: camelCase, stable (stored documents use it). */
  readonly name: string;
  /** For people, singular: `identity provider`. */
  readonly label: string;
  /** For people, plural: `identity providers`. */
  readonly plural: string;
  /** Operations `read` may call, for the sizing formula (docs/sizing-and-cost.md) and the IAM policy. */
  readonly operations: readonly SurfaceOperation[];
  /**
   * Reads and normalizes the pool's resources of this kind. Rejects when a read failed: the detector
   * then keeps the surface's baseline and reports it as unreadable, never as removed.
   */
  read(ctx: SurfaceReadContext): Promise<SurfaceSnapshot>;
  /** Severity rules for this surface's changes (see `core/severity.ts` for the shared ones). */
  readonly rules: readonly SeverityRule[];
}

/** Every item of a paged list: follows `NextToken` until the service stops returning one. */
export async function allPages<T>(
  fetchPage: (
    token: string | undefined,
  ) => Promise<{ items: readonly T[] | undefined; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...(page.items ?? []));
    token = page.next;
  } while (token);
  return items;
}

/** The id of the pool's own resource of a one-per-pool surface (MFA, log export, web ACL, ...). */
export const POOL_RESOURCE = 'pool';

/** True when DescribeUserPool says the pool has a hosted-UI domain (prefix or custom). */
export function hasDomain(pool: UserPoolType): boolean {
  return Boolean(pool.Domain || pool.CustomDomain);
}
