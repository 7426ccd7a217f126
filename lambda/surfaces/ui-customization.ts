import {
  GetUICustomizationCommand,
  type GetUICustomizationCommandInput,
  type GetUICustomizationCommandOutput,
  type UICustomizationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import { CLIENT_PATHS, IDP_SOURCE } from '../core/write-events.js';
import { HAS_DOMAIN } from './pool-conditions.js';
import { operation, POOL_RESOURCE, RESOURCE_READ_ASSUMED, type Surface } from './surface.js';

const GET_UI = operation<GetUICustomizationCommandInput, GetUICustomizationCommandOutput>({
  name: 'GetUICustomization',
  service: 'cognito-idp',
  command: GetUICustomizationCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId', 'ClientId'],
  calls: { per: 'pool-and-client' },
});

/**
 * The classic hosted UI's CSS and logo: a phishing surface. Kept as a digest and a size (the CSS) and
 * the logo's URL, never the content. Read only when the pool has a domain (without one there is no
 * hosted UI); a client's own is kept only where it has one.
 */
export const uiCustomizationSurface: Surface = {
  name: 'uiCustomization',
  label: 'hosted UI customization',
  plural: 'hosted UI customization',
  operations: [GET_UI],
  readOnlyWhen: HAS_DOMAIN,
  async read({ poolId, clients, send }) {
    const out: Awaited<ReturnType<Surface['read']>> = {};
    const normalize = (ui: UICustomizationType) =>
      normalizeResource(ui, {
        volatile: ['UserPoolId', 'ClientId', 'LastModifiedDate', 'CreationDate'],
        digests: ['CSS'],
        salt: poolId,
      });
    const own = (await send(GET_UI, { UserPoolId: poolId })).UICustomization;
    const ownConfig = own ? normalize(own) : {};
    if (Object.keys(ownConfig).length > 0) out[POOL_RESOURCE] = { name: 'pool', config: ownConfig };
    for (const client of clients) {
      const ui = (await send(GET_UI, { UserPoolId: poolId, ClientId: client.clientId })).UICustomization;
      // A client without its own customization is answered with the pool's (ClientId "ALL").
      if (ui?.ClientId === client.clientId)
        out[client.clientId] = { name: client.clientName, config: normalize(ui) };
    }
    return out;
  },
  writeEvents: [{ eventSource: IDP_SOURCE, eventName: 'SetUICustomization', paths: CLIENT_PATHS }],
  rules: [],
};
