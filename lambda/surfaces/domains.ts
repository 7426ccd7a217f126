import {
  DescribeUserPoolDomainCommand,
  type DescribeUserPoolDomainCommandInput,
  type DescribeUserPoolDomainCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import type { Change } from '../core/types.js';
import { Severity } from '../core/types.js';
import { IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { operation, RESOURCE_READ_ASSUMED, type Surface } from './surface.js';

const isDomain = (c: Change) => c.surface === 'domains';

const DESCRIBE_DOMAIN = operation<DescribeUserPoolDomainCommandInput, DescribeUserPoolDomainCommandOutput>({
  name: 'DescribeUserPoolDomain',
  service: 'cognito-idp',
  command: DescribeUserPoolDomainCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['Domain'],
  // It names a domain, not a pool, and supports no resource-level permission.
  iamResource: 'none',
  calls: { per: 'domain' },
});

/**
 * The hosted UI's domains: the prefix domain and the custom domain DescribeUserPool names, with the
 * custom domain's certificate, the CloudFront distribution and the managed login version.
 */
export const domainsSurface: Surface = {
  name: 'domains',
  label: 'domain',
  plural: 'domains',
  operations: [DESCRIBE_DOMAIN],
  async read({ poolId, pool, send }) {
    const out: Awaited<ReturnType<Surface['read']>> = {};
    for (const domain of new Set([pool.Domain, pool.CustomDomain])) {
      if (!domain) continue;
      const description = (await send(DESCRIBE_DOMAIN, { Domain: domain })).DomainDescription;
      if (!description?.Domain) continue;
      out[domain] = {
        name: domain,
        // Status moves through CREATING/UPDATING by itself; Version changes on every update.
        config: normalizeResource(description, {
          volatile: ['UserPoolId', 'AWSAccountId', 'Domain', 'Status', 'Version'],
          salt: poolId,
        }),
      };
    }
    return out;
  },
  writeEvents: (['Create', 'Update', 'Delete'] as const).map((verb) => ({
    eventSource: IDP_SOURCE,
    eventName: `${verb}UserPoolDomain`,
    paths: POOL_PATHS,
  })),
  rules: [
    {
      name: 'domain-target-changed',
      description: "The custom domain's certificate or the domain's CloudFront distribution changed",
      evaluate: (c) =>
        isDomain(c) &&
        c.kind === 'field-changed' &&
        (c.path === 'CustomDomainConfig.CertificateArn' || c.path === 'CloudFrontDistribution')
          ? Severity.HIGH
          : undefined,
    },
  ],
};
