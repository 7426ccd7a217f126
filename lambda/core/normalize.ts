import { createHash } from 'node:crypto';
import type {
  ClientSecretDescriptorType,
  UserPoolClientType,
  UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { canonicalJson } from './canonical.js';
import { currentDigestKey } from './digest-key.js';
import type { ClientSnapshot, Json, JsonObject, PoolSnapshot, SecretSnapshot } from './types.js';

/**
 * Pool fields that change by themselves, or that identify rather than configure the pool.
 * `Status` is deprecated and always reported; the `*ConfigurationFailure` fields are delivery status
 * messages, not settings.
 */
export const VOLATILE_POOL_FIELDS: readonly string[] = [
  'Id',
  'Name',
  'Arn',
  'EstimatedNumberOfUsers',
  'LastModifiedDate',
  'CreationDate',
  'Status',
  'SmsConfigurationFailure',
  'EmailConfigurationFailure',
];

/**
 * Client fields that change by themselves or identify the client. `ClientSecret` is the secret VALUE:
 * it is removed here, before anything else sees the client, and never stored.
 */
export const VOLATILE_CLIENT_FIELDS: readonly string[] = [
  'ClientSecret',
  'ClientId',
  'UserPoolId',
  'LastModifiedDate',
  'CreationDate',
];

/**
 * Object lists whose order carries no meaning, sorted by the field that identifies an element.
 * Every other list is treated as a set too (sorted by its canonical JSON): no list in the
 * UserPool or UserPoolClient shapes is order-significant.
 */
const LIST_SORT_KEYS: Record<string, string> = {
  SchemaAttributes: 'Name',
  'AccountRecoverySetting.RecoveryMechanisms': 'Priority',
};

/**
 * Normalizes a DescribeUserPool result and its clients into a {@link PoolSnapshot}.
 * Works on copies: the caller's objects are never mutated.
 */
export function normalizePool(pool: UserPoolType, clients: readonly ClientSnapshot[]): PoolSnapshot {
  if (!pool.Id) throw new Error('DescribeUserPool returned a pool without an Id');
  const byId: Record<string, ClientSnapshot> = {};
  for (const client of [...clients].sort((a, b) => a.clientId.localeCompare(b.clientId))) {
    byId[client.clientId] = client;
  }
  return {
    poolId: pool.Id,
    poolName: pool.Name ?? '',
    config: normalizeObject(pool as Record<string, unknown>, VOLATILE_POOL_FIELDS),
    clients: byId,
  };
}

/**
 * Normalizes a DescribeUserPoolClient result and its ListUserPoolClientSecrets descriptors.
 * Only each secret's id and creation date are kept, whatever else the response carried.
 */
export function normalizeClient(
  client: UserPoolClientType,
  secrets: readonly ClientSecretDescriptorType[],
): ClientSnapshot {
  if (!client.ClientId) throw new Error('DescribeUserPoolClient returned a client without a ClientId');
  const secretMap: Record<string, SecretSnapshot> = {};
  for (const secret of secrets) {
    if (!secret.ClientSecretId) continue;
    secretMap[secret.ClientSecretId] = { createdAt: toIso(secret.ClientSecretCreateDate) };
  }
  return {
    clientId: client.ClientId,
    clientName: client.ClientName ?? '',
    config: normalizeObject(client as Record<string, unknown>, VOLATILE_CLIENT_FIELDS),
    secrets: sortRecord(secretMap),
  };
}

function normalizeObject(source: Record<string, unknown>, dropped: readonly string[]): JsonObject {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!dropped.includes(key)) copy[key] = value;
  }
  return (toJson(copy, '') as JsonObject | undefined) ?? {};
}

/** How a surface's resource is normalized. Paths are dotted from the resource's root. */
export interface ResourceNormalization {
  /** Top-level fields that change by themselves or identify rather than configure. */
  volatile?: readonly string[];
  /**
   * Credential-like values (an IdP's `ProviderDetails.client_secret`): replaced by a keyed digest
   * before anything else sees them, so that a rotation shows as a change and the value is never kept.
   */
  secrets?: readonly string[];
  /**
   * Large values kept as a keyed digest and a size (a SAML metadata file, the hosted UI's CSS): a
   * change shows, the content is not stored.
   */
  digests?: readonly string[];
  /** Mixed into every digest, so equal values of two resources do not share a digest. */
  salt: string;
}

/**
 * The marker a digested secret starts with: HMAC-SHA-256 under the digest key (`digest-key.ts`),
 * version 1. `render.ts` shows such values as "changed", never the digest.
 */
export const SECRET_DIGEST_PREFIX = 'secret-hmac-sha256:v1:';
/** Earlier releases' secret digests: an unkeyed SHA-256 of the salted value (still read, never written). */
export const LEGACY_SECRET_DIGEST_PREFIX = 'secret-sha256:';
/** The scheme marker of a large value's digest (`{ digest, bytes }`); earlier releases wrote `{ sha256, bytes }`. */
export const VALUE_DIGEST_PREFIX = 'hmac-sha256:v1:';

/** True for a digested secret of any scheme. */
export function isSecretDigest(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    (value.startsWith(SECRET_DIGEST_PREFIX) || value.startsWith(LEGACY_SECRET_DIGEST_PREFIX))
  );
}

/**
 * Normalizes one resource of a surface (an identity provider, a group, ...), on a copy.
 * Secret fields are digested first, so the value never reaches the JSON conversion, a log or a store.
 * Digests are keyed with the key of the read in progress (`withDigestKey`); without one, a resource
 * that holds a value to digest is refused with a DigestKeyError.
 */
export function normalizeResource(source: object, spec: ResourceNormalization): JsonObject {
  // Copy-on-write along each replaced path only: the caller's object is never mutated, and the
  // rest is copied once, by the JSON conversion.
  let copy = source as Record<string, unknown>;
  for (const path of spec.secrets ?? []) {
    copy = replacedAt(copy, path.split('.'), (value) => {
      const material = `${spec.salt}\u0000${path}\u0000${value}`;
      const digest = `${SECRET_DIGEST_PREFIX}${currentDigestKey().hmac(material)}`;
      rememberLegacy(digest, `${LEGACY_SECRET_DIGEST_PREFIX}${sha256(material)}`);
      return digest;
    });
  }
  for (const path of spec.digests ?? []) {
    copy = replacedAt(copy, path.split('.'), (value) => {
      const digest = `${VALUE_DIGEST_PREFIX}${currentDigestKey().hmac(`${spec.salt}\u0000${path}\u0000${value}`)}`;
      rememberLegacy(digest, sha256(value));
      return { digest, bytes: Buffer.byteLength(value) };
    });
  }
  return normalizeObject(copy, ['$metadata', ...(spec.volatile ?? [])]);
}

/**
 * The earlier scheme's digest of each value digested in this process, by its keyed digest: what lets
 * a baseline of an earlier release be compared with a fresh read (`upgradeLegacyDigests`) without
 * keeping the weak digest anywhere but in memory. Bounded: the oldest entries go first.
 */
const legacyDigests = new Map<string, string>();
const MAX_LEGACY_DIGESTS = 20_000;

function rememberLegacy(digest: string, legacy: string): void {
  legacyDigests.delete(digest);
  legacyDigests.set(digest, legacy);
  if (legacyDigests.size > MAX_LEGACY_DIGESTS) {
    const oldest = legacyDigests.keys().next().value;
    if (oldest !== undefined) legacyDigests.delete(oldest);
  }
}

/**
 * `baseline` with each digest of the earlier scheme replaced by `current`'s keyed digest at the same
 * path, where both digest the same value (the current value was read in this process, and its earlier
 * digest equals the baseline's). An unchanged secret is then no drift across the upgrade, a changed one
 * still is, and the next baseline write stores only keyed digests. Works on a copy.
 */
export function upgradeLegacyDigests(baseline: JsonObject, current: JsonObject): JsonObject {
  return upgraded(baseline, current) as JsonObject;
}

function upgraded(before: Json, after: Json | undefined): Json {
  if (typeof before === 'string') {
    if (!before.startsWith(LEGACY_SECRET_DIGEST_PREFIX) || typeof after !== 'string') return before;
    return legacyDigests.get(after) === before ? after : before;
  }
  if (before === null || typeof before !== 'object' || Array.isArray(before)) return before;
  if (after === null || typeof after !== 'object' || Array.isArray(after)) return before;
  const { sha256: legacy, bytes } = before;
  if (typeof legacy === 'string' && typeof after.digest === 'string' && after.bytes === bytes) {
    return legacyDigests.get(after.digest) === legacy ? after : before;
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(before)) out[key] = upgraded(value, after[key]);
  return out;
}

/** `root` with the value at `path` replaced (objects on the path copied), or `root` when there is none. */
function replacedAt(
  root: Record<string, unknown>,
  path: readonly string[],
  replace: (value: string) => unknown,
): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  const value = root[head];
  if (rest.length === 0) {
    if (value === undefined || value === null || value === '') return root;
    return { ...root, [head]: replace(typeof value === 'string' ? value : JSON.stringify(value)) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return root;
  const inner = replacedAt(value as Record<string, unknown>, rest, replace);
  return inner === value ? root : { ...root, [head]: inner };
}

/** The earlier releases' digest: unkeyed, kept only to recognize their stored digests. */
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Converts an SDK value into plain JSON: Dates become ISO strings, undefined/empty lists/empty
 * objects disappear (Cognito reports "none" either way), object keys are sorted and lists ordered.
 */
function toJson(value: unknown, path: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map((item) => toJson(item, path)).filter((item): item is Json => item !== undefined);
    if (items.length === 0) return undefined;
    return sortList(items, path);
  }
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const child = toJson((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (child !== undefined) out[key] = child;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function sortList(items: Json[], path: string): Json[] {
  const key = LIST_SORT_KEYS[path];
  const sortKey = (item: Json): string => {
    if (key && item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const id = item[key];
      if (typeof id === 'number') return id.toString().padStart(12, '0');
      if (typeof id === 'string') return id;
    }
    return typeof item === 'string' ? item : canonicalJson(item);
  };
  return items
    .map((item) => ({ item, k: sortKey(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map(({ item }) => item);
}

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function toIso(date: Date | undefined): string | null {
  if (!date) return null;
  const time = date.getTime();
  return Number.isNaN(time) ? null : date.toISOString();
}
