import {
  DescribeIdentityPoolCommand,
  type DescribeIdentityPoolCommandInput,
  type DescribeIdentityPoolCommandOutput,
  GetIdentityPoolRolesCommand,
  type GetIdentityPoolRolesCommandInput,
  type GetIdentityPoolRolesCommandOutput,
  ListIdentityPoolsCommand,
  type ListIdentityPoolsCommandInput,
  type ListIdentityPoolsCommandOutput,
} from '@aws-sdk/client-cognito-identity';
import type { CatalogEntry, WriteEvent } from '../core/catalog.js';
import { normalizeResource } from '../core/normalize.js';
import { isIdentityPoolId } from '../core/pool-ids.js';
import type { PoolRef } from '../core/ports.js';
import type { SeverityRule } from '../core/severity.js';
import type { Change, Json, PoolSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { allPages, operation, type SendOperation } from './surface.js';

/**
 * The identity-pool table of the Cognito quota page was not readable in the stored copy, and Service
 * Quotas lists no quota for these reads: each has a category of its own, paced like the documented
 * neighbour ListIdentities (see quotas.ts).
 */
const IDENTITY_QUOTA_ASSUMED =
  'assumed: not found on the quota page; paced like the documented neighbour ListIdentities';

const LIST_IDENTITY_POOLS = operation<ListIdentityPoolsCommandInput, ListIdentityPoolsCommandOutput>({
  name: 'ListIdentityPools',
  service: 'cognito-identity',
  command: ListIdentityPoolsCommand,
  quota: 'IdentityPool.ListIdentityPools',
  quotaAssumed: IDENTITY_QUOTA_ASSUMED,
  keys: [],
  paging: { items: 'IdentityPools', pageSize: 'MaxResults', maxPageSize: 60 },
  iamResource: 'none',
});
const DESCRIBE_IDENTITY_POOL = operation<DescribeIdentityPoolCommandInput, DescribeIdentityPoolCommandOutput>(
  {
    name: 'DescribeIdentityPool',
    service: 'cognito-identity',
    command: DescribeIdentityPoolCommand,
    quota: 'IdentityPool.DescribeIdentityPool',
    quotaAssumed: IDENTITY_QUOTA_ASSUMED,
    keys: ['IdentityPoolId'],
    iamResource: 'identitypool',
  },
);
const GET_IDENTITY_POOL_ROLES = operation<
  GetIdentityPoolRolesCommandInput,
  GetIdentityPoolRolesCommandOutput
>({
  name: 'GetIdentityPoolRoles',
  service: 'cognito-identity',
  command: GetIdentityPoolRolesCommand,
  quota: 'IdentityPool.GetIdentityPoolRoles',
  quotaAssumed: IDENTITY_QUOTA_ASSUMED,
  keys: ['IdentityPoolId'],
  iamResource: 'identitypool',
});

/** The listing's name, for "could not be read" notices. */
export const IDENTITY_POOL_LIST = LIST_IDENTITY_POOLS.name;
/** The read whose own not-found means the identity pool is gone (any other read's is not a deletion). */
export const IDENTITY_POOL_DESCRIBE = DESCRIBE_IDENTITY_POOL.name;

const IDENTITY = 'cognito-identity.amazonaws.com' as const;
const BY_REQUEST = { identityPoolId: ['requestParameters.identityPoolId'] };
/**
 * The writes that change an identity pool. A created pool's id is only in the response; a deleted
 * one's only in the request: both start a targeted check of that identity pool.
 */
const IDENTITY_POOL_EVENTS: readonly WriteEvent[] = [
  {
    eventSource: IDENTITY,
    eventName: 'CreateIdentityPool',
    paths: { identityPoolId: ['responseElements.identityPoolId', 'responseElements.IdentityPoolId'] },
  },
  { eventSource: IDENTITY, eventName: 'DeleteIdentityPool', paths: BY_REQUEST },
  { eventSource: IDENTITY, eventName: 'UpdateIdentityPool', paths: BY_REQUEST },
  { eventSource: IDENTITY, eventName: 'SetIdentityPoolRoles', paths: BY_REQUEST },
];

/**
 * Identity pools (federated identities): watched, diffed, alerted and approved like user pools, as
 * units of their own. An identity pool id has a colon (`us-east-1:1111…`), a user pool id an
 * underscore (`us-east-1_Ab…`), so the two cannot be mistaken for each other anywhere.
 */
export const IDENTITY_POOLS = 'identityPools';

export { isIdentityPoolId };

/** Every identity pool in the account and region (all pages). */
export async function listIdentityPools(send: SendOperation): Promise<PoolRef[]> {
  const pools = await allPages(async (token) => {
    const page = await send(LIST_IDENTITY_POOLS, { MaxResults: 60, NextToken: token });
    return { items: page.IdentityPools, next: page.NextToken };
  });
  return pools
    .filter((p) => p.IdentityPoolId)
    .map((p) => ({ poolId: p.IdentityPoolId as string, poolName: p.IdentityPoolName ?? '' }));
}

/**
 * One identity pool: DescribeIdentityPool and GetIdentityPoolRoles, as one snapshot whose config
 * holds the pool's settings and its `Roles` and `RoleMappings`.
 */
export async function readIdentityPool(ref: PoolRef, send: SendOperation): Promise<PoolSnapshot> {
  const described = await send(DESCRIBE_IDENTITY_POOL, { IdentityPoolId: ref.poolId });
  const roles = await send(GET_IDENTITY_POOL_ROLES, { IdentityPoolId: ref.poolId });
  const config = normalizeResource(
    { ...described, Roles: roles.Roles, RoleMappings: roles.RoleMappings },
    { volatile: ['IdentityPoolId', 'IdentityPoolName'], salt: ref.poolId },
  );
  return { poolId: ref.poolId, poolName: described.IdentityPoolName ?? ref.poolName, config, clients: {} };
}

/** Settings of an identity pool that decide who gets AWS credentials, and which role. */
const TRUST_FIELDS = [
  'Roles',
  'RoleMappings',
  'CognitoIdentityProviders',
  'SupportedLoginProviders',
  'OpenIdConnectProviderARNs',
  'SamlProviderARNs',
  'DeveloperProviderName',
];

const isIdentityPoolChange = (c: Change) => isIdentityPoolId(c.poolId) && 'path' in c;
const turnedOn = (before: Json | undefined, after: Json | undefined) => before !== true && after === true;

export const IDENTITY_POOL_RULES: readonly SeverityRule[] = [
  {
    name: 'identity-pool-guest-or-classic-access',
    description: 'An identity pool now allows unauthenticated (guest) identities or the basic (classic) flow',
    evaluate: (c) =>
      isIdentityPoolChange(c) &&
      c.kind === 'field-changed' &&
      (c.path === 'AllowUnauthenticatedIdentities' || c.path === 'AllowClassicFlow') &&
      turnedOn(c.before, c.after)
        ? Severity.HIGH
        : undefined,
  },
  {
    name: 'identity-pool-trust-changed',
    description: "An identity pool's roles, role mappings or trusted providers changed",
    evaluate: (c) =>
      isIdentityPoolChange(c) &&
      'path' in c &&
      TRUST_FIELDS.some((f) => c.path === f || c.path.startsWith(`${f}.`))
        ? Severity.HIGH
        : undefined,
  },
];

/**
 * Identity pools as a catalog entry: watched as units of their own (no `read`: the reader lists and
 * reads them with {@link listIdentityPools} and {@link readIdentityPool}).
 */
export const identityPoolsEntry: CatalogEntry = {
  name: IDENTITY_POOLS,
  label: 'identity pool',
  plural: 'identity pools',
  operations: [LIST_IDENTITY_POOLS, DESCRIBE_IDENTITY_POOL, GET_IDENTITY_POOL_ROLES],
  writeEvents: IDENTITY_POOL_EVENTS,
  rules: IDENTITY_POOL_RULES,
  ownsUnit: isIdentityPoolId,
};
