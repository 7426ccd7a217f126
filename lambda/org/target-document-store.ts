import { type TargetScope, targetKey, untargetKey } from '../core/documents.js';
import type { DocumentStore, ListedObject, StoredObject, WriteCondition } from '../core/ports.js';

/**
 * The documents of one (account, region) inside a shared store: every key is placed with
 * {@link targetKey}, so the detector, which speaks of `baselines/<poolId>.json`, reads and writes
 * `baselines/<account>/<region>/<poolId>.json` without knowing it.
 */
export class TargetDocumentStore implements DocumentStore {
  readonly location: string;

  constructor(
    private readonly inner: DocumentStore,
    readonly target: TargetScope,
  ) {
    this.location = inner.location;
  }

  locate(key: string): string {
    const placed = targetKey(this.target, key);
    return this.inner.locate?.(placed) ?? `${this.inner.location}/${placed}`;
  }

  get(key: string): Promise<StoredObject | undefined> {
    return this.inner.get(targetKey(this.target, key));
  }

  put(key: string, body: string, condition: WriteCondition): Promise<string> {
    return this.inner.put(targetKey(this.target, key), body, condition);
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const listed = await this.inner.list(targetKey(this.target, prefix));
    const out: ListedObject[] = [];
    for (const object of listed) {
      const key = untargetKey(this.target, object.key);
      if (key !== undefined) out.push({ key, etag: object.etag });
    }
    return out;
  }
}
