import type { ClientSnapshot, PoolSnapshot, SurfaceSnapshot } from './types.js';

/** An object read from the store, with the version tag that a conditional write must match. */
export interface StoredObject {
  body: string;
  etag: string;
}

/** How a write must relate to what is stored: create only, replace only that version, or either. */
export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string } | { unconditional: true };

/** A listed key with its current version tag. */
export interface ListedObject {
  key: string;
  etag: string;
}

/** One stored version of a document. */
export interface DocumentVersion {
  /** The S3 version id, or the git commit of a folder store. */
  version: string;
  /** When it was stored (ISO 8601). */
  storedAt: string;
  /** The document as it was in this version. */
  load(): Promise<string>;
}

/**
 * Where documents live: an S3 bucket or a folder. Two implementations pass one contract test.
 * `put` throws ConflictError when the condition does not hold.
 */
export interface DocumentStore {
  /** For messages: `s3://bucket` or a folder path. */
  readonly location: string;
  /** Where a key's object is, for a person to find it (`s3://bucket/key`, a file path); default `location/key`. */
  locate?(key: string): string;
  get(key: string): Promise<StoredObject | undefined>;
  put(key: string, body: string, condition: WriteCondition): Promise<string>;
  list(prefix: string): Promise<ListedObject[]>;
}

/**
 * A store that keeps history (`history`). Separate from {@link DocumentStore} so that the Lambda,
 * which never reads history, carries neither the code nor the permission for it.
 */
export interface VersionedDocumentStore extends DocumentStore {
  /**
   * Every stored version of `key`, newest first: S3 object versions, or the git commits that touched
   * a folder store's file. Empty when the key never existed.
   */
  versions(key: string): Promise<DocumentVersion[]>;
}

/** A pool as ListUserPools names it. */
export interface PoolRef {
  poolId: string;
  poolName: string;
}

/** A client that could not be read, and why (an error code, never a response body). */
export interface UnreadableClient {
  clientId: string;
  reason: string;
}

/** A surface (identity providers, MFA, ...) that could not be read, the operation that failed, and why. */
export interface UnreadableSurface {
  surface: string;
  operation: string;
  reason: string;
}

export type PoolReadResult =
  | {
      status: 'ok';
      pool: PoolSnapshot;
      unreadableClients: UnreadableClient[];
      /** Left out of `pool.surfaces`: the detector keeps their baselines. */
      unreadableSurfaces?: UnreadableSurface[];
    }
  /** Deleted between ListUserPools and DescribeUserPool: a real removal, not an error. */
  | { status: 'gone' }
  | { status: 'unreadable'; reason: string };

/**
 * What an earlier invocation of the same run already read of a pool: its clients and the surfaces
 * whose read completed, normalized as the snapshot stores them (digests, never secret values).
 */
export interface PartialPoolRead {
  clients: ClientSnapshot[];
  /** Absent in run documents written before surface reads resumed: every surface is read again. */
  surfaces?: Record<string, SurfaceSnapshot>;
}

/**
 * Thrown by {@link PoolReader.readPool} when `signal` aborts part-way: carries what was read, so a
 * pool too large for one invocation is finished by the next instead of starting over.
 */
export class PoolReadInterrupted extends Error {
  constructor(readonly partial: PartialPoolRead) {
    const surfaces = Object.keys(partial.surfaces ?? {}).length;
    super(`Pool read interrupted after ${partial.clients.length} clients and ${surfaces} surfaces`);
    this.name = 'PoolReadInterrupted';
  }
}

/** Reads Cognito. The real one paces itself to the configured share of the quotas. */
export interface PoolReader {
  listPools(): Promise<PoolRef[]>;
  /**
   * Every identity pool, when identity pools are watched (undefined when they are not). Rejects when
   * the listing failed: identity pools are then neither compared nor reported as removed.
   */
  listIdentityPools?(): Promise<PoolRef[] | undefined>;
  /** The surfaces the reader reads (`mfa`, `identityProviders`, ..., `identityPools`). */
  readonly surfaceNames?: readonly string[];
  /**
   * Reads one pool and all its clients and surfaces, except the still-listed clients and the
   * watched surfaces in `resume`, which are taken as read. When `signal` aborts it throws, a
   * {@link PoolReadInterrupted} once a client or a surface was read.
   */
  readPool(ref: PoolRef, signal?: AbortSignal, resume?: PartialPoolRead): Promise<PoolReadResult>;
}

/** One message for people (email through SNS, or stdout for the CLI). */
export interface AlertMessage {
  subject: string;
  body: string;
  /** SNS message attributes, so subscribers can filter (for example only HIGH to a pager). */
  attributes: {
    kind: string;
    severity?: string;
    poolIds: string[];
    /** The accounts and regions the message is about, so teams can subscribe to their own. */
    accounts?: string[];
    regions?: string[];
  };
}

export interface Notifier {
  publish(message: AlertMessage): Promise<void>;
}

/** The few logging calls the core makes; Powertools Logger satisfies it. */
export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Counters the core reports at the end of a run; Powertools Metrics in the Lambda. */
export interface MetricsSink {
  count(name: string, value: number, dimensions?: Record<string, string>): void;
  durationMs(name: string, value: number): void;
}
