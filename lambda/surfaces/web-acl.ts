import {
  GetWebACLForResourceCommand,
  type GetWebACLForResourceCommandInput,
  type GetWebACLForResourceCommandOutput,
} from '@aws-sdk/client-wafv2';
import type { Change, SurfaceSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';
import { operation, POOL_RESOURCE, type Surface } from './surface.js';

const isWebAcl = (c: Change) => c.surface === 'waf';

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

/**
 * The AWS WAF web ACL associated with the pool, by name and ARN. Its rules are WAF's own
 * configuration, not the pool's: a swap to another ACL is what this watches.
 */
export const webAclSurface: Surface = {
  name: 'waf',
  label: 'web ACL',
  plural: 'web ACL',
  operations: [GET_WEB_ACL],
  async read({ pool, send }): Promise<SurfaceSnapshot> {
    if (!pool.Arn) return {};
    const acl = (await send(GET_WEB_ACL, { ResourceArn: pool.Arn })).WebACL;
    if (!acl?.ARN) return {};
    return { [POOL_RESOURCE]: { name: acl.Name ?? acl.ARN, config: { ARN: acl.ARN, Name: acl.Name ?? '' } } };
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
