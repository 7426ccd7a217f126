import {
  type AssetType,
  DescribeManagedLoginBrandingByClientCommand,
  type DescribeManagedLoginBrandingByClientCommandInput,
  type DescribeManagedLoginBrandingByClientCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import type { JsonObject } from '../core/types.js';
import { CLIENT_PATHS, IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { HAS_DOMAIN } from './pool-conditions.js';
import { operation, RESOURCE_READ_ASSUMED, type Surface } from './surface.js';

const DESCRIBE_BRANDING = operation<
  DescribeManagedLoginBrandingByClientCommandInput,
  DescribeManagedLoginBrandingByClientCommandOutput
>({
  name: 'DescribeManagedLoginBrandingByClient',
  service: 'cognito-idp',
  command: DescribeManagedLoginBrandingByClientCommand,
  quota: 'UserPoolResourceRead',
  quotaAssumed: RESOURCE_READ_ASSUMED,
  keys: ['UserPoolId', 'ClientId'],
  calls: { per: 'client' },
});

/** Fields that identify the style or change by themselves, not its look. */
const VOLATILE = ['ManagedLoginBrandingId', 'UserPoolId', 'CreationDate', 'LastModifiedDate', 'Assets'];

/**
 * The managed login (the newer hosted sign-in pages) branding style of each app client: its
 * settings as data, and each image asset as a digest and a size, by category and colour mode. The
 * bytes are digested on read and never kept, stored or printed: a swapped logo shows as a changed
 * digest. Read only when the pool has a domain (without one there are no managed login pages).
 */
export const managedLoginBrandingSurface: Surface = {
  name: 'managedLoginBranding',
  label: 'managed login branding',
  plural: 'managed login branding',
  operations: [DESCRIBE_BRANDING],
  readOnlyWhen: HAS_DOMAIN,
  // A style for every client, as an account that uses managed login has (one without answers not-found).
  examples: ({ poolId, clientIds }) =>
    clientIds.map((clientId) => ({
      operation: DESCRIBE_BRANDING.name,
      keys: { UserPoolId: poolId, ClientId: clientId },
      value: {
        ManagedLoginBranding: {
          ManagedLoginBrandingId: `style-${clientId}`,
          UserPoolId: poolId,
          UseCognitoProvidedValues: true,
          CreationDate: 1_764_000_000,
          LastModifiedDate: 1_764_000_000,
        },
      },
    })),
  async read({ poolId, clients, send }) {
    const out: Awaited<ReturnType<Surface['read']>> = {};
    for (const client of clients) {
      let branding: DescribeManagedLoginBrandingByClientCommandOutput['ManagedLoginBranding'];
      try {
        branding = (await send(DESCRIBE_BRANDING, { UserPoolId: poolId, ClientId: client.clientId }))
          .ManagedLoginBranding;
      } catch (error) {
        // A client without a style of its own is answered with not-found: nothing to watch there.
        // Any other failure makes the surface unreadable (never "removed").
        if (isNotFound(error)) continue;
        throw error;
      }
      if (!branding) continue;
      const config: JsonObject = normalizeResource(branding, { volatile: VOLATILE, salt: poolId });
      const assets = assetDigests(branding.Assets ?? [], `${poolId}/${client.clientId}`);
      if (Object.keys(assets).length > 0) config.Assets = assets;
      out[client.clientId] = { name: client.clientName, config };
    }
    return out;
  },
  writeEvents: [
    { eventSource: IDP_SOURCE, eventName: 'CreateManagedLoginBranding', paths: CLIENT_PATHS },
    { eventSource: IDP_SOURCE, eventName: 'UpdateManagedLoginBranding', paths: POOL_PATHS },
    { eventSource: IDP_SOURCE, eventName: 'DeleteManagedLoginBranding', paths: POOL_PATHS },
  ],
  rules: [],
};

/** Each asset by `<category>/<colour mode>`: its extension and resource id, and its bytes as a digest and size. */
function assetDigests(assets: readonly AssetType[], salt: string): JsonObject {
  const out: JsonObject = {};
  for (const asset of assets) {
    // Digested as base64 text by normalize.ts's digest; the size kept is the asset's own, in bytes.
    const bytes = asset.Bytes === undefined ? undefined : Buffer.from(asset.Bytes).toString('base64');
    const normalized = normalizeResource(
      { ...asset, Bytes: bytes },
      { volatile: ['Category', 'ColorMode'], digests: ['Bytes'], salt },
    );
    const digest = normalized.Bytes;
    if (asset.Bytes !== undefined && digest !== null && typeof digest === 'object' && !Array.isArray(digest))
      normalized.Bytes = { ...digest, bytes: asset.Bytes.byteLength };
    out[`${asset.Category}/${asset.ColorMode}`] = normalized;
  }
  return out;
}

function isNotFound(error: unknown): boolean {
  const name = (e: unknown) => (e as { name?: string } | undefined)?.name;
  return (
    name(error) === 'ResourceNotFoundException' ||
    name((error as { cause?: unknown } | undefined)?.cause) === 'ResourceNotFoundException'
  );
}
