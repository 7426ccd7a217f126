import type { Change, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { type AccountRead, POOL_RESOURCE, type SendOperation, type Surface } from './surface.js';

const isWebAcl = (c: Change) => c.surface === 'waf';

/** The largest page ListWebACLs returns (`Limit` 1-100). */
const WEB_ACL_PAGE = 100;

/** A web ACL as the surface records it. */
interface WebAclRef {
  ARN: string;
  Name: string;
}

/**
 * Every regional web ACL of the account and the user pools associated with each: pool ARN -> web
 * ACL. One ListWebACLs page per 100 ACLs and one ListResourcesForWebACL per ACL, so the cost of a
 * run is the number of web ACLs (at most 100 by default), not the number of pools.
 */
export const webAclAssociations: AccountRead<ReadonlyMap<string, WebAclRef>> = {
  name: 'web ACL associations',
  async read(send: SendOperation) {
    const acls: WebAclRef[] = [];
    let marker: string | undefined;
    do {
      const page = await send('ListWebACLs', { Scope: 'REGIONAL', Limit: WEB_ACL_PAGE, NextMarker: marker });
      const items = page.WebACLs ?? [];
      for (const acl of items) if (acl.ARN) acls.push({ ARN: acl.ARN, Name: acl.Name ?? acl.ARN });
      // WAF may hand back a marker with the last page: an empty page ends the listing too.
      marker = items.length > 0 ? page.NextMarker : undefined;
    } while (marker);
    const byPool = new Map<string, WebAclRef>();
    for (const acl of acls) {
      const { ResourceArns } = await send('ListResourcesForWebACL', {
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
 * GetWebACLForResource is limited to 1 request a second, which made WAF set the pace of a whole run.
 * A targeted check of a few pools asks WAF about each pool instead.
 */
export const webAclSurface: Surface = {
  name: 'waf',
  label: 'web ACL',
  plural: 'web ACL',
  operations: ['ListWebACLs', 'ListResourcesForWebACL', 'GetWebACLForResource'],
  async read({ pool, send, accountRead }): Promise<SurfaceSnapshot> {
    if (!pool.Arn) return {};
    if (accountRead) return snapshotOf((await accountRead(webAclAssociations)).get(pool.Arn));
    return snapshotOf((await send('GetWebACLForResource', { ResourceArn: pool.Arn })).WebACL);
  },
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
