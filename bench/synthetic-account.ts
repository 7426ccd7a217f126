import { writeFile } from 'node:fs/promises';
import type {
  ClientSecretDescriptorType,
  UserPoolClientType,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoStandin } from '../test/support/cognito-standin.js';

/** One pool as the reader receives it: DescribeUserPool, and per client DescribeUserPoolClient + ListUserPoolClientSecrets. */
export interface RawPool {
  pool: UserPoolType;
  clients: { client: UserPoolClientType; secrets: ClientSecretDescriptorType[] }[];
}

const DATE_FIELDS = new Set(['CreationDate', 'LastModifiedDate', 'ClientSecretCreateDate']);

/** A stand-in JSON object turned into what the SDK hands back: epoch-second dates become Dates. */
function sdkShaped<T>(view: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...view };
  for (const key of DATE_FIELDS) {
    const value = out[key];
    if (typeof value === 'number') out[key] = new Date(value * 1000);
  }
  return out as T;
}

/**
 * Writes a synthetic account (the stand-in's realistic seed data, SDK-shaped) to `path` as JSON.
 * About half the clients are confidential, some with two secrets, as in a real account.
 */
export async function writeSyntheticAccount(path: string, pools: number, clients: number): Promise<void> {
  const standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
  try {
    const account: RawPool[] = standin.seed(pools, clients).map((poolId) => ({
      pool: sdkShaped<UserPoolType>(standin.describePool(poolId)),
      clients: standin.clientIds(poolId).map((clientId) => {
        const client = sdkShaped<UserPoolClientType>(standin.describeClient(poolId, clientId));
        const created = client.CreationDate ?? new Date(0);
        const secrets: ClientSecretDescriptorType[] = [];
        if (client.ClientSecret !== undefined) {
          secrets.push({
            ClientSecretId: `${clientId}--${created.getTime()}`,
            ClientSecretCreateDate: created,
          });
          if (client.ClientName?.includes('partner')) {
            const rotated = new Date(created.getTime() + 30 * 86_400_000);
            secrets.push({
              ClientSecretId: `${clientId}--${rotated.getTime()}`,
              ClientSecretCreateDate: rotated,
            });
          }
        }
        return { client, secrets };
      }),
    }));
    await writeFile(path, JSON.stringify(account));
  } finally {
    await standin.stop();
  }
}

/** Parses {@link writeSyntheticAccount}'s file back into SDK shapes (ISO strings → Dates). */
export function parseSyntheticAccount(text: string): RawPool[] {
  return JSON.parse(text, (key, value: unknown) =>
    DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as RawPool[];
}
