import type { z } from 'zod';
import { canonicalJson } from '../core/canonical.js';
import {
  type BaselineDoc,
  baselineDocSchema,
  keys,
  type RunDoc,
  runDocSchema,
  type SnapshotDoc,
  type StateDoc,
  snapshotDocSchema,
  stateDocSchema,
} from '../core/documents.js';
import { hashMismatch } from '../core/integrity.js';
import type { DocumentStore, ListedObject, WriteCondition } from '../core/ports.js';
import { MalformedDocumentError } from '../errors.js';

/** A validated document and the version tag to write it back conditionally. */
export interface Versioned<T> {
  doc: T;
  etag: string;
}

/**
 * Typed, validated access to the stored documents. Reads validate and name the key on failure;
 * writes are conditional wherever two writers could meet.
 */
export class DriftStore {
  constructor(readonly documents: DocumentStore) {}

  get location(): string {
    return this.documents.location;
  }

  /** Where a key's object is, as a person would look for it. */
  locate(key: string): string {
    return this.documents.locate?.(key) ?? `${this.documents.location}/${key}`;
  }

  /** Baselines that exist, by pool id, with their ETags (one LIST, no GETs). */
  async listBaselines(): Promise<Map<string, ListedObject>> {
    const listed = await this.documents.list(keys.baselinePrefix);
    const byPool = new Map<string, ListedObject>();
    for (const object of listed) {
      if (object.key.endsWith('.json')) byPool.set(keys.poolIdFromBaselineKey(object.key), object);
    }
    return byPool;
  }

  /** The approved state of a pool; its `snapshotHash` is checked against its `pool`. */
  async getBaseline(poolId: string): Promise<Versioned<BaselineDoc> | undefined> {
    return this.read(keys.baseline(poolId), baselineDocSchema, poolId, (doc) =>
      hashMismatch('snapshotHash', doc.snapshotHash, doc.pool),
    );
  }

  /** Writes a baseline; `expectedEtag` null means "must not exist yet". */
  async putBaseline(doc: BaselineDoc, expectedEtag: string | null): Promise<string> {
    return this.write(keys.baseline(doc.poolId), doc, expectedEtag);
  }

  /** The latest state recorded for a pool; its `hash` is checked against its `pool`. */
  async getSnapshot(poolId: string): Promise<Versioned<SnapshotDoc> | undefined> {
    return this.read(keys.snapshot(poolId), snapshotDocSchema, poolId, (doc) =>
      hashMismatch('hash', doc.hash, doc.pool),
    );
  }

  /** Snapshots have one writer (the detector run), so they are written unconditionally. */
  async putSnapshot(doc: SnapshotDoc): Promise<string> {
    return this.documents.put(keys.snapshot(doc.poolId), canonicalJson(doc, 2), { unconditional: true });
  }

  async getState(): Promise<Versioned<StateDoc> | undefined> {
    return this.read(keys.state, stateDocSchema);
  }

  async putState(doc: StateDoc, expectedEtag: string | null): Promise<string> {
    return this.write(keys.state, doc, expectedEtag);
  }

  async getRun(): Promise<Versioned<RunDoc> | undefined> {
    return this.read(keys.run, runDocSchema);
  }

  async putRun(doc: RunDoc, expectedEtag: string | null): Promise<string> {
    return this.write(keys.run, doc, expectedEtag);
  }

  /** The full JSON report of a run, which a truncated alert points to. */
  async putReport(runId: string, report: unknown): Promise<string> {
    const key = keys.report(runId);
    await this.documents.put(key, canonicalJson(report, 2), { unconditional: true });
    return this.locate(key);
  }

  private async write(key: string, doc: unknown, expectedEtag: string | null): Promise<string> {
    const condition: WriteCondition =
      expectedEtag === null ? { ifNoneMatch: '*' } : { ifMatch: expectedEtag };
    return this.documents.put(key, canonicalJson(doc, 2), condition);
  }

  private async read<S extends z.ZodType>(
    key: string,
    schema: S,
    expectedPoolId?: string,
    /** A check of the parsed document's own consistency: the reason it is unusable, if it is. */
    check?: (doc: z.infer<S>) => string | undefined,
  ): Promise<Versioned<z.infer<S>> | undefined> {
    const object = await this.documents.get(key);
    if (!object) return undefined;
    const unusable = (reason: string, cause?: unknown) =>
      new MalformedDocumentError(key, reason, { cause, etag: object.etag });
    let parsed: unknown;
    try {
      parsed = JSON.parse(object.body);
    } catch (error) {
      throw unusable('not valid JSON', error);
    }
    const version = (parsed as { formatVersion?: unknown } | null)?.formatVersion;
    if (version !== undefined && version !== 1) {
      throw unusable(`unknown formatVersion ${JSON.stringify(version)} (this build reads 1)`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : '(root)';
      throw unusable(`${where}: ${issue?.message ?? 'does not match the format'}`);
    }
    const doc = result.data as { poolId?: string; pool?: { poolId: string } | null };
    if (
      expectedPoolId !== undefined &&
      (doc.poolId !== expectedPoolId || (doc.pool && doc.pool.poolId !== expectedPoolId))
    ) {
      const found = doc.poolId !== expectedPoolId ? doc.poolId : doc.pool?.poolId;
      throw unusable(`it describes pool ${found}, not ${expectedPoolId}`);
    }
    const problem = check?.(result.data);
    if (problem) throw unusable(problem);
    return { doc: result.data, etag: object.etag };
  }
}
