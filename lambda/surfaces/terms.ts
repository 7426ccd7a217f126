import {
  DescribeTermsCommand,
  type DescribeTermsCommandInput,
  type DescribeTermsCommandOutput,
  ListTermsCommand,
  type ListTermsCommandInput,
  type ListTermsCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ExampleItem } from '../core/catalog.js';
import { normalizeResource } from '../core/normalize.js';
import { CLIENT_PATHS, IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { HAS_DOMAIN } from './pool-conditions.js';
import { allPages, operation, RESOURCE_READ_ASSUMED, type Surface } from './surface.js';

const LIST_TERMS = operation<ListTermsCommandInput, ListTermsCommandOutput>({
  name: 'ListTerms',
  service: 'cognito-idp',
  command: ListTermsCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId'],
  paging: { items: 'Terms', pageSize: 'MaxResults', maxPageSize: 60 },
  calls: { per: 'pool' },
});
const DESCRIBE_TERMS = operation<DescribeTermsCommandInput, DescribeTermsCommandOutput>({
  name: 'DescribeTerms',
  service: 'cognito-idp',
  command: DescribeTermsCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId', 'TermsId'],
  calls: { per: 'listed', of: 'ListTerms' },
});

/**
 * Terms documents: the terms-of-use and privacy-policy links managed login shows for each app
 * client, by language. Keyed `<client id>/<terms name>`, so a document deleted and created again
 * with the same links is no change, and each finding names its client. Read only when the pool has
 * a domain: managed login, which shows them, is served from it.
 */
export const termsSurface: Surface = {
  name: 'terms',
  label: 'terms document',
  plural: 'terms documents',
  operations: [LIST_TERMS, DESCRIBE_TERMS],
  readOnlyWhen: HAS_DOMAIN,
  // A terms-of-use link per client, as an account using managed login's terms has.
  examples: ({ poolId, clientIds }) =>
    clientIds.flatMap((clientId, i): ExampleItem[] => {
      const termsId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const dates = { CreationDate: 1_764_000_000, LastModifiedDate: 1_764_000_000 };
      const summary = { TermsId: termsId, TermsName: 'terms-of-use', Enforcement: 'NONE', ...dates };
      return [
        { operation: LIST_TERMS.name, keys: { UserPoolId: poolId }, value: summary },
        {
          operation: DESCRIBE_TERMS.name,
          keys: { UserPoolId: poolId, TermsId: termsId },
          value: {
            Terms: {
              ...summary,
              UserPoolId: poolId,
              ClientId: clientId,
              TermsSource: 'LINK',
              Links: { 'cognito:default': 'https://example.com/terms' },
            },
          },
        },
      ];
    }),
  async read({ poolId, clients, send }) {
    const listed = await allPages(async (token) => {
      const page = await send(LIST_TERMS, { UserPoolId: poolId, MaxResults: 60, NextToken: token });
      return { items: page.Terms, next: page.NextToken };
    });
    const clientName = new Map(clients.map((c) => [c.clientId, c.clientName]));
    const out: Awaited<ReturnType<Surface['read']>> = {};
    for (const { TermsId: termsId } of listed) {
      if (!termsId) continue;
      const terms = (await send(DESCRIBE_TERMS, { UserPoolId: poolId, TermsId: termsId })).Terms;
      if (!terms?.ClientId || !terms.TermsName) continue;
      const client = clientName.get(terms.ClientId) ?? terms.ClientId;
      out[`${terms.ClientId}/${terms.TermsName}`] = {
        name: `${terms.TermsName} of client ${client}`,
        config: normalizeResource(terms, {
          volatile: ['TermsId', 'UserPoolId', 'ClientId', 'TermsName', 'CreationDate', 'LastModifiedDate'],
          salt: poolId,
        }),
      };
    }
    return out;
  },
  writeEvents: [
    { eventSource: IDP_SOURCE, eventName: 'CreateTerms', paths: CLIENT_PATHS },
    { eventSource: IDP_SOURCE, eventName: 'UpdateTerms', paths: POOL_PATHS },
    { eventSource: IDP_SOURCE, eventName: 'DeleteTerms', paths: POOL_PATHS },
  ],
  rules: [],
};
