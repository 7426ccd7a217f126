import { createHash } from 'node:crypto';
import type { DocumentStore, ListedObject, StoredObject, WriteCondition } from '../lambda/core/ports.js';
import { ConflictError } from '../lambda/errors.js';

/**
 * Documents in a Map, honouring the same write conditions as S3 (412 → ConflictError), so the
 * benchmark runs the detector with `persist: true` without touching a disk or a network.
 */
export class MemoryDocumentStore implements DocumentStore {
  readonly location = 'memory://bench';
  readonly objects = new Map<string, StoredObject>();
  puts = 0;

  async get(key: string): Promise<StoredObject | undefined> {
    return this.objects.get(key);
  }

  async put(key: string, body: string, condition: WriteCondition): Promise<string> {
    const current = this.objects.get(key);
    if ('ifNoneMatch' in condition && current) throw new ConflictError(key);
    if ('ifMatch' in condition && current?.etag !== condition.ifMatch) throw new ConflictError(key);
    const etag = createHash('md5').update(body).digest('hex');
    this.objects.set(key, { body, etag });
    this.puts += 1;
    return etag;
  }

  async list(prefix: string): Promise<ListedObject[]> {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, { etag }]) => ({ key, etag }));
  }
}
