/**
 * ONE in-memory object store for the tests, with what the baseline bucket has: versions, ETags and
 * conditional writes. Its faces: the S3 API of the in-memory account (`fake-aws.ts`, through
 * aws-sdk-client-mock) and the DocumentStore port (`memory-document-store.ts`), so an S3-level test and
 * a port-level test see the same semantics.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/** One stored version of an S3 object. */
export interface ObjectVersion {
  body: string;
  etag: string;
  versionId: string;
  lastModified: Date;
}

/** Why a conditional write was refused: nothing to match (`missing`) or another version (`mismatch`). */
export type WriteRefusal = 'missing' | 'mismatch' | 'exists';

/** A versioned bucket: every put adds a version; the last one is current. */
export class FakeBucket {
  private readonly objects = new Map<string, ObjectVersion[]>();
  private versionCounter = 0;

  constructor(readonly name: string) {}

  /** The current version of `key`, if any. */
  current(key: string): ObjectVersion | undefined {
    return this.objects.get(key)?.at(-1);
  }

  /** The current body of `key` (undefined when there is none). */
  read(key: string): string | undefined {
    return this.current(key)?.body;
  }

  /** The current body of `key`, parsed. Throws when there is no such object. */
  readJson<T = unknown>(key: string): T {
    const body = this.read(key);
    if (body === undefined) throw new Error(`no object ${key} in the fake bucket`);
    return JSON.parse(body) as T;
  }

  /** Every version of `key`, oldest first. */
  versions(key: string): ObjectVersion[] {
    return [...(this.objects.get(key) ?? [])];
  }

  /** Writes a new version unconditionally (another writer, or a test's arrangement). Returns the ETag. */
  write(key: string, body: string, etag = `"${createHash('md5').update(body).digest('hex')}"`): string {
    this.versionCounter += 1;
    const versions = this.objects.get(key) ?? [];
    versions.push({ body, etag, versionId: `v${this.versionCounter}`, lastModified: new Date() });
    this.objects.set(key, versions);
    return etag;
  }

  /**
   * Why a write under S3's conditions (`If-None-Match: *`, `If-Match: <etag>`) would be refused, or
   * undefined when it may go ahead.
   */
  refusal(key: string, condition: { ifNoneMatch?: '*'; ifMatch?: string }): WriteRefusal | undefined {
    const current = this.current(key);
    if (condition.ifNoneMatch !== undefined && current) return 'exists';
    if (condition.ifMatch !== undefined) {
      if (!current) return 'missing';
      if (current.etag !== condition.ifMatch) return 'mismatch';
    }
    return undefined;
  }

  /** Deletes every version of `key` (a test removing an object). */
  delete(key: string): boolean {
    return this.objects.delete(key);
  }

  /** Current keys in UTF-8 binary order, as ListObjectsV2 returns them. */
  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort(binaryOrder);
  }

  /** Every body ever written, every version of every key: for "this never appears anywhere". */
  allBodies(): { key: string; body: string }[] {
    return [...this.objects.entries()].flatMap(([key, versions]) =>
      versions.map((v) => ({ key, body: v.body })),
    );
  }
}

export function binaryOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf-8'), Buffer.from(b, 'utf-8'));
}
