import { normalizeResource } from '../core/normalize.js';
import { allPages, type Surface } from './surface.js';

/** OAuth resource servers and the custom scopes clients can be granted. */
export const resourceServersSurface: Surface = {
  name: 'resourceServers',
  label: 'resource server',
  plural: 'resource servers',
  operations: ['ListResourceServers'],
  async read({ poolId, send }) {
    const servers = await allPages(async (token) => {
      const page = await send('ListResourceServers', {
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
  rules: [],
};
