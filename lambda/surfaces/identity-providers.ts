import {
  DescribeIdentityProviderCommand,
  type DescribeIdentityProviderCommandInput,
  type DescribeIdentityProviderCommandOutput,
  ListIdentityProvidersCommand,
  type ListIdentityProvidersCommandInput,
  type ListIdentityProvidersCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import type { Change } from '../core/types.js';
import { Severity } from '../core/types.js';
import { IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { allPages, operation, RESOURCE_READ_ASSUMED, type Surface } from './surface.js';

/**
 * ProviderDetails keys that decide whom the pool trusts and how it checks them: a change to any is a
 * possible federated back door. Everything else in ProviderDetails is MEDIUM.
 */
const TRUST_DETAILS = new Set([
  'MetadataFile',
  'MetadataURL',
  'IDPInit',
  'IDPSignout',
  'RequestSigningAlgorithm',
  'EncryptedResponses',
  'ActiveEncryptionCertificate',
  'oidc_issuer',
  'authorize_url',
  'token_url',
  'attributes_url',
  'jwks_uri',
  'client_id',
  'client_secret',
  'team_id',
  'key_id',
  'private_key',
]);

const isIdp = (c: Change) => c.surface === 'identityProviders';

const LIST_PROVIDERS = operation<ListIdentityProvidersCommandInput, ListIdentityProvidersCommandOutput>({
  name: 'ListIdentityProviders',
  service: 'cognito-idp',
  command: ListIdentityProvidersCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId'],
  paging: { items: 'Providers', pageSize: 'MaxResults', maxPageSize: 60 },
  calls: { per: 'pool' },
});
const DESCRIBE_PROVIDER = operation<
  DescribeIdentityProviderCommandInput,
  DescribeIdentityProviderCommandOutput
>({
  name: 'DescribeIdentityProvider',
  service: 'cognito-idp',
  command: DescribeIdentityProviderCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId', 'ProviderName'],
  calls: { per: 'listed', of: 'ListIdentityProviders' },
});

/**
 * Federated identity providers (SAML, OIDC, social). `ProviderDetails.client_secret` (and Apple's
 * `private_key`) come back in plain text from DescribeIdentityProvider: they are digested on read and
 * never kept. A SAML metadata file is kept as a digest and a size.
 */
export const identityProvidersSurface: Surface = {
  name: 'identityProviders',
  label: 'identity provider',
  plural: 'identity providers',
  operations: [LIST_PROVIDERS, DESCRIBE_PROVIDER],
  async read({ poolId, send }) {
    const listed = await allPages(async (token) => {
      const page = await send(LIST_PROVIDERS, {
        UserPoolId: poolId,
        MaxResults: 60,
        NextToken: token,
      });
      return { items: page.Providers, next: page.NextToken };
    });
    const out: Awaited<ReturnType<Surface['read']>> = {};
    for (const { ProviderName: name } of listed) {
      if (!name) continue;
      const provider = (await send(DESCRIBE_PROVIDER, { UserPoolId: poolId, ProviderName: name }))
        .IdentityProvider;
      if (!provider) continue;
      out[name] = {
        name,
        config: normalizeResource(provider, {
          volatile: ['UserPoolId', 'ProviderName', 'LastModifiedDate', 'CreationDate'],
          secrets: ['ProviderDetails.client_secret', 'ProviderDetails.private_key'],
          digests: ['ProviderDetails.MetadataFile'],
          salt: `${poolId}/${name}`,
        }),
      };
    }
    return out;
  },
  writeEvents: (['Create', 'Update', 'Delete'] as const).map((verb) => ({
    eventSource: IDP_SOURCE,
    eventName: `${verb}IdentityProvider`,
    paths: { ...POOL_PATHS, providerName: ['requestParameters.providerName'] },
  })),
  rules: [
    {
      name: 'identity-provider-trust-changed',
      description:
        'An identity provider added or removed, or its metadata, issuer, endpoints, client or signing settings changed',
      evaluate: (c) => {
        if (!isIdp(c)) return undefined;
        if (c.kind === 'resource-added' || c.kind === 'resource-removed') return Severity.HIGH;
        if (!('path' in c)) return undefined;
        const [root, key] = c.path.split('.');
        if (root === 'ProviderType') return Severity.HIGH;
        return root === 'ProviderDetails' && key !== undefined && TRUST_DETAILS.has(key)
          ? Severity.HIGH
          : undefined;
      },
    },
  ],
};
