import { writeFile } from 'node:fs/promises';
import type {
  ClientSecretDescriptorType,
  UserPoolClientType,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { canonicalJson } from '../lambda/core/canonical.js';
import { type AnyReadOperation, kindApplies, type SendOperation } from '../lambda/core/catalog.js';
import type { PoolRef } from '../lambda/core/ports.js';
import { readIdentityPool } from '../lambda/surfaces/identity-pools.js';
import { POOL_SURFACES } from '../lambda/surfaces/index.js';
import { CognitoStandin } from '../test/support/cognito-standin.js';

/**
 * What a surface read received, by operation and input (`<operation> <canonical input>`): replayed
 * by {@link replaySend}, so the benchmark times the surfaces' own read-and-normalize code.
 */
export type Answers = Record<string, unknown>;

/**
 * One pool as the reader receives it: DescribeUserPool, per client DescribeUserPoolClient and, for a
 * client with a secret, ListUserPoolClientSecrets, and every answer its surfaces (MFA, IdPs, groups,
 * ...) read.
 */
export interface RawPool {
  pool: UserPoolType;
  clients: { client: UserPoolClientType; secrets: ClientSecretDescriptorType[] }[];
  answers: Answers;
}

/** The synthetic account: user pools, and identity pools with the answers their reads receive. */
export interface RawAccount {
  pools: RawPool[];
  identityPools: { ref: PoolRef; answers: Answers }[];
}

const answerKey = (operation: string, input: unknown) => `${operation} ${canonicalJson(input)}`;

/** How an error answer is recorded: the service's error name (a client without a style: not found). */
interface RecordedError {
  recordedError: string;
}

function isRecordedError(answer: unknown): answer is RecordedError {
  return typeof (answer as Partial<RecordedError> | undefined)?.recordedError === 'string';
}

/** A sender that answers from recorded answers (a read the recording did not make is a bug here). */
export function replaySend(answers: Answers): SendOperation {
  return (async (operation: AnyReadOperation, input: unknown) => {
    const key = answerKey(operation.name, input);
    if (!(key in answers)) throw new Error(`no recorded answer for ${key}`);
    const answer = answers[key];
    if (isRecordedError(answer)) throw recordedError(answer.recordedError);
    return answer;
  }) as SendOperation;
}

/** One error per name, made once: replaying thousands of not-founds must not time stack captures. */
const RECORDED_ERRORS = new Map<string, Error>();
function recordedError(name: string): Error {
  let error = RECORDED_ERRORS.get(name);
  if (!error) {
    error = Object.assign(new Error(name), { name });
    RECORDED_ERRORS.set(name, error);
  }
  return error;
}

/** A sender that asks the stand-in's model and records each answer, errors included. */
function recordingSend(standin: CognitoStandin, answers: Answers): SendOperation {
  return (async (operation: AnyReadOperation, input: Record<string, unknown>) => {
    const key = answerKey(operation.name, input);
    try {
      const answer = standin.answerSurface(operation.name, input);
      answers[key] = answer;
      return answer;
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      answers[key] = { recordedError: name } satisfies RecordedError;
      throw error;
    }
  }) as unknown as SendOperation;
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
 * Writes a synthetic account (the stand-in's full-surface seed data, SDK-shaped) to `path` as JSON:
 * about half the clients confidential, some with two secrets; each pool with 2 IdPs, 3 groups, a
 * resource server, a domain (so hosted-UI reads per client), MFA and log export; and one identity
 * pool per 10 user pools.
 */
export async function writeSyntheticAccount(path: string, pools: number, clients: number): Promise<void> {
  const standin = await CognitoStandin.start({ latencyMs: 0, quotas: false });
  try {
    const seeded = standin.seedFullSurface({
      pools,
      clientsPerPool: clients,
      identityPools: Math.max(1, Math.round(pools / 10)),
    });
    const account: RawAccount = { pools: [], identityPools: [] };
    for (const poolId of seeded.poolIds) {
      const pool = sdkShaped<UserPoolType>(standin.describePool(poolId));
      const raw: RawPool = { pool, clients: [], answers: {} };
      for (const clientId of standin.clientIds(poolId)) {
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
        raw.clients.push({ client, secrets });
      }
      const ctx = {
        poolId,
        pool,
        clients: raw.clients.map(({ client }) => ({
          clientId: client.ClientId ?? '',
          clientName: client.ClientName ?? '',
        })),
        send: recordingSend(standin, raw.answers),
      };
      // As the reader: a kind without effect in the pool (`readOnlyWhen`) is not read.
      for (const surface of POOL_SURFACES) if (kindApplies(surface, { ...pool })) await surface.read(ctx);
      account.pools.push(raw);
    }
    for (const id of seeded.identityPoolIds) {
      const ref = { poolId: id, poolName: '' };
      const answers: Answers = {};
      await readIdentityPool(ref, recordingSend(standin, answers));
      account.identityPools.push({ ref, answers });
    }
    await writeFile(path, JSON.stringify(account));
  } finally {
    await standin.stop();
  }
}

/** Parses {@link writeSyntheticAccount}'s file back into SDK shapes (ISO strings → Dates). */
export function parseSyntheticAccount(text: string): RawAccount {
  return JSON.parse(text, (key, value: unknown) =>
    DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as RawAccount;
}
