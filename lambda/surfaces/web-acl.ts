import {
  GetWebACLForResourceCommand,
  type GetWebACLForResourceCommandInput,
  type GetWebACLForResourceCommandOutput,
  ListResourcesForWebACLCommand,
  type ListResourcesForWebACLCommandInput,
  type ListResourcesForWebACLCommandOutput,
  ListWebACLsCommand,
  type ListWebACLsCommandInput,
  type ListWebACLsCommandOutput,
} from '@aws-sdk/client-wafv2';
import type { AccountRead, SendOperation } from '../core/catalog.js';
import type { Change, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { operation, POOL_RESOURCE, type Surface } from './surface.js';

const isWebAcl = (c: Change) => c.surface === 'waf';

/**
 * WAF's quota page documents a call rate for one resource's web ACL only (1 request per second);
 * the two listings are paced at that rate (see quotas.ts).
 */
const WAF_LIST_ASSUMED =
  'assumed: the WAF quota page documents no rate for it; paced at the 1 rps documented for the web ACL of a resource';

/** For a targeted check of a few pools: the web ACL of one pool. */
const GET_WEB_ACL = operation<GetWebACLForResourceCommandInput, GetWebACLForResourceCommandOutput>({
  name: 'GetWebACLForResource',
  service: 'wafv2',
  command: GetWebACLForResourceCommand,
  quota: 'WAFv2.GetWebACLForResource',
  keys: ['ResourceArn'],
  iamResource: 'webacl',
  // WAF checks wafv2:GetWebACL on the web ACL it finds and, for a user pool, the pool's own action
  // ("Permissions for GetWebACLForResource", AWS WAF Developer Guide).
  alsoRequires: [
    { action: 'wafv2:GetWebACL', resource: 'webacl' },
    { action: 'cognito-idp:GetWebACLForResource', resource: 'userpool' },
  ],
});

/** A sweep: the account's regional web ACLs, a page of up to 100 (`Limit`, `NextMarker`). */
const LIST_WEB_ACLS = operation<ListWebACLsCommandInput, ListWebACLsCommandOutput>({
  name: 'ListWebACLs',
  service: 'wafv2',
  command: ListWebACLsCommand,
  quota: 'WAFv2.ListWebACLs',
  quotaAssumed: WAF_LIST_ASSUMED,
  keys: [],
  // No resource-level permission: granted on "*".
  iamResource: 'none',
});

/** A sweep: the user pools associated with one web ACL. */
const LIST_POOLS_OF_WEB_ACL = operation<
  ListResourcesForWebACLCommandInput,
  ListResourcesForWebACLCommandOutput
>({
  name: 'ListResourcesForWebACL',
  service: 'wafv2',
  command: ListResourcesForWebACLCommand,
  quota: 'WAFv2.ListResourcesForWebACL',
  quotaAssumed: WAF_LIST_ASSUMED,
  keys: ['WebACLArn'],
  iamResource: 'webacl',
  // For user pools, WAF also checks the pool service's own action ("Permissions for
  // ListResourcesForWebACL", AWS WAF Developer Guide).
  alsoRequires: [{ action: 'cognito-idp:ListResourcesForWebACL', resource: 'userpool' }],
});

/** The largest page the web ACL listing returns (`Limit` 1-100). */
const WEB_ACL_PAGE = 100;

/** A web ACL as the surface records it. */
interface WebAclRef {
  ARN: string;
  Name: string;
}

/**
 * Every regional web ACL of the account and the user pools associated with each: pool ARN -> web
 * ACL. One listing page per 100 ACLs and one association list per ACL, so the cost of a run is the
 * number of web ACLs (at most 100 by default), not the number of pools.
 */
export const webAclAssociations: AccountRead<ReadonlyMap<string, WebAclRef>> = {
  name: 'web ACL associations',
  async read(send: SendOperation) {
    const acls: WebAclRef[] = [];
    let marker: string | undefined;
    do {
      const page = await send(LIST_WEB_ACLS, { Scope: 'REGIONAL', Limit: WEB_ACL_PAGE, NextMarker: marker });
      const items = page.WebACLs ?? [];
      for (const acl of items) if (acl.ARN) acls.push({ ARN: acl.ARN, Name: acl.Name ?? acl.ARN });
      // WAF may hand back a marker with the last page: an empty page ends the listing too.
      marker = items.length > 0 ? page.NextMarker : undefined;
    } while (marker);
    const byPool = new Map<string, WebAclRef>();
    for (const acl of acls) {
      const { ResourceArns } = await send(LIST_POOLS_OF_WEB_ACL, {
        WebACLArn: acl.ARN,
        ResourceType: 'COGNITO_USER_POOL',
      });
      for (const arn of ResourceArns ?? []) byPool.set(arn, acl);
    }
    return byPool;
  },
};

function snapshotOf(acl: { ARN?: string; Name?: string } | undefined): SurfaceSnapshot {
  if (!acl?.ARN) return {};
  return { [POOL_RESOURCE]: { name: acl.Name ?? acl.ARN, config: { ARN: acl.ARN, Name: acl.Name ?? '' } } };
}

/**
 * The AWS WAF web ACL associated with the pool, by name and ARN. Its rules are WAF's own
 * configuration, not the pool's: a swap to another ACL is what this watches.
 *
 * A sweep answers every pool from one listing of the account's web ACLs ({@link webAclAssociations}):
 * asking WAF about each pool is limited to 1 request a second, which made WAF set the pace of a
 * whole run. A targeted check of a few pools asks about each pool instead.
 */
export const webAclSurface: Surface = {
  name: 'waf',
  label: 'web ACL',
  plural: 'web ACL',
  operations: [LIST_WEB_ACLS, LIST_POOLS_OF_WEB_ACL, GET_WEB_ACL],
  accountReads: [webAclAssociations],
  async read({ pool, send, accountRead }): Promise<SurfaceSnapshot> {
    if (!pool.Arn) return {};
    if (accountRead) return snapshotOf((await accountRead(webAclAssociations)).get(pool.Arn));
    return snapshotOf((await send(GET_WEB_ACL, { ResourceArn: pool.Arn })).WebACL);
  },
  writeEvents: (['AssociateWebACL', 'DisassociateWebACL'] as const).map((eventName) => ({
    eventSource: 'wafv2.amazonaws.com' as const,
    eventName,
    paths: { userPoolArn: ['requestParameters.resourceArn'] },
  })),
  rules: [
    {
      name: 'web-acl-removed-or-swapped',
      description: 'The web ACL was taken off the pool or replaced by another',
      evaluate: (c) =>
        isWebAcl(c) && (c.kind === 'resource-removed' || (c.kind === 'field-changed' && c.path === 'ARN'))
          ? Severity.HIGH
          : undefined,
    },
  ],
};
