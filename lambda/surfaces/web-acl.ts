import type { Change, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { POOL_RESOURCE, type Surface } from './surface.js';

const isWebAcl = (c: Change) => c.surface === 'waf';

/**
 * The AWS WAF web ACL associated with the pool, by name and ARN. Its rules are WAF's own
 * configuration, not the pool's: a swap to another ACL is what this watches.
 */
export const webAclSurface: Surface = {
  name: 'waf',
  label: 'web ACL',
  plural: 'web ACL',
  operations: ['GetWebACLForResource'],
  async read({ pool, send }): Promise<SurfaceSnapshot> {
    if (!pool.Arn) return {};
    const acl = (await send('GetWebACLForResource', { ResourceArn: pool.Arn })).WebACL;
    if (!acl?.ARN) return {};
    return { [POOL_RESOURCE]: { name: acl.Name ?? acl.ARN, config: { ARN: acl.ARN, Name: acl.Name ?? '' } } };
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
