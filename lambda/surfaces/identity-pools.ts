import { normalizeResource } from '../core/normalize.js';
import type { PoolRef } from '../core/ports.js';
import type { SeverityRule } from '../core/severity.js';
import type { Change, Json, PoolSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { allPages, type SendOperation } from './surface.js';

/**
 * Identity pools (federated identities): watched, diffed, alerted and approved like user pools, as
 * units of their own. An identity pool id has a colon (`us-east-1:1111…`), a user pool id an
 * underscore (`us-east-1_Ab…`), so the two cannot be mistaken for each other anywhere.
 */
export const IDENTITY_POOLS = 'identityPools';

/** True for an identity pool id (`<region>:<uuid>`). */
export function isIdentityPoolId(id: string): boolean {
  return /^[\w-]+:[0-9a-f-]+$/i.test(id);
}

/** Every identity pool in the account and region (all pages). */
export async function listIdentityPools(send: SendOperation): Promise<PoolRef[]> {
  const pools = await allPages(async (token) => {
    const page = await send('ListIdentityPools', { MaxResults: 60, NextToken: token });
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
  const described = await send('DescribeIdentityPool', { IdentityPoolId: ref.poolId });
  const roles = await send('GetIdentityPoolRoles', { IdentityPoolId: ref.poolId });
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
