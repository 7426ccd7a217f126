import {
  ListResourceServersCommand,
  type ListResourceServersCommandInput,
  type ListResourceServersCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import { IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { allPages, operation, RESOURCE_READ_ASSUMED, type Surface } from './surface.js';

const LIST_RESOURCE_SERVERS = operation<ListResourceServersCommandInput, ListResourceServersCommandOutput>({
  name: 'ListResourceServers',
  service: 'cognito-idp',
  command: ListResourceServersCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId'],
  paging: { items: 'ResourceServers', pageSize: 'MaxResults', maxPageSize: 50 },
  calls: { per: 'pool' },
});

/** OAuth resource servers and the custom scopes clients can be granted. */
export const resourceServersSurface: Surface = {
  name: 'resourceServers',
  label: 'resource server',
  plural: 'resource servers',
  operations: [LIST_RESOURCE_SERVERS],
  async read({ poolId, send }) {
    const servers = await allPages(async (token) => {
      const page = await send(LIST_RESOURCE_SERVERS, {
        UserPoolId: poolId,
        MaxResults: 50,
        NextToken: token,
      });
      return { items: page.ResourceServers, next: page.NextToken };
    });
    const out: Awaited<ReturnType<Surface['read']>> = {};
    for (const server of servers) {
      if (!server.Identifier) continue;
      out[server.Identifier] = {
        name: server.Name ?? server.Identifier,
        config: normalizeResource(server, { volatile: ['UserPoolId', 'Identifier'], salt: poolId }),
      };
    }
    return out;
  },
  writeEvents: (['Create', 'Update', 'Delete'] as const).map((verb) => ({
    eventSource: IDP_SOURCE,
    eventName: `${verb}ResourceServer`,
    paths: POOL_PATHS,
  })),
  rules: [],
};
