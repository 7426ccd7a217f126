import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderDocumentStore } from '../../../lambda/adapters/folder-document-store.js';
import { S3DocumentStore } from '../../../lambda/adapters/s3-document-store.js';
import type { DocumentStore } from '../../../lambda/core/ports.js';
import { ConflictError, StoreUnavailableError } from '../../../lambda/errors.js';
import { FakeS3 } from '../../fixtures/fake-s3-bucket.js';

/** One DocumentStore implementation under test, with a twin whose bucket / folder does not exist. */
interface StoreUnderTest {
  store: DocumentStore;
  missing: DocumentStore;
  /** The bucket or folder name the "missing" store's errors must name. */
  missingName: string;
  cleanup(): Promise<void>;
}

const s3Mock = mockClient(S3Client);

const implementations: { name: string; create(): Promise<StoreUnderTest> }[] = [
  {
    name: 'FolderDocumentStore',
    async create() {
      const folder = await mkdtemp(join(tmpdir(), 'cognito-drift-contract-'));
      const missingFolder = join(folder, 'no-such-folder');
      return {
        store: new FolderDocumentStore(folder),
        missing: new FolderDocumentStore(missingFolder),
        missingName: missingFolder,
        cleanup: () => rm(folder, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'S3DocumentStore',
    async create() {
      s3Mock.reset();
      const fake = new FakeS3(s3Mock);
      fake.createBucket('cognito-drift-baselines-123456789012');
      const client = new S3Client({ region: 'eu-west-1' });
      return {
        store: new S3DocumentStore(client, 'cognito-drift-baselines-123456789012'),
        missing: new S3DocumentStore(client, 'cognito-drift-typo-bucket'),
        missingName: 'cognito-drift-typo-bucket',
        cleanup: async () => undefined,
      };
    },
  },
];

const BASELINE = 'baselines/eu-west-1_Xk4Pz9QwE.json';

describe.each(implementations)('DocumentStore contract: $name', ({ name, create }) => {
  let subject: StoreUnderTest;
  let store: DocumentStore;

  beforeEach(async () => {
    subject = await create();
    store = subject.store;
  });

  afterEach(async () => {
    await subject.cleanup();
  });

  it('returns undefined for a key that was never written', async () => {
    expect(await store.get(BASELINE)).toBeUndefined();
    expect(await store.get('state/detector-state.json')).toBeUndefined();
  });

  it('reads back what it wrote, with the ETag the write returned', async () => {
    const body = '{\n  "kind": "baseline",\n  "name": "Zürich – プール"\n}';

    const etag = await store.put(BASELINE, body, { unconditional: true });

    expect(etag).not.toBe('');
    expect(await store.get(BASELINE)).toEqual({ body, etag });
  });

  it('creates with ifNoneMatch "*" once, then refuses with ConflictError and keeps the first body', async () => {
    await store.put(BASELINE, '{"v":1}', { ifNoneMatch: '*' });

    await expect(store.put(BASELINE, '{"v":2}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(ConflictError);
    expect((await store.get(BASELINE))?.body).toBe('{"v":1}');
  });

  it('replaces with ifMatch at the current ETag and returns the new ETag', async () => {
    const first = await store.put('state/detector-state.json', '{"v":1}', { ifNoneMatch: '*' });

    const second = await store.put('state/detector-state.json', '{"v":2}', { ifMatch: first });

    expect(second).not.toBe(first);
    expect(await store.get('state/detector-state.json')).toEqual({ body: '{"v":2}', etag: second });
  });

  it('refuses ifMatch with a stale ETag with ConflictError and keeps the newer body', async () => {
    const stale = await store.put(BASELINE, '{"v":1}', { ifNoneMatch: '*' });
    await store.put(BASELINE, '{"v":2}', { ifMatch: stale });

    await expect(store.put(BASELINE, '{"v":3}', { ifMatch: stale })).rejects.toBeInstanceOf(ConflictError);
    expect((await store.get(BASELINE))?.body).toBe('{"v":2}');
  });

  it('refuses ifMatch on a key that was deleted since it was read with ConflictError', async () => {
    await expect(
      store.put(BASELINE, '{"v":1}', { ifMatch: '"0cc175b9c0f1b6a831c399e269772661"' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await store.get(BASELINE)).toBeUndefined();
  });

  it('names the key in a ConflictError', async () => {
    await store.put(BASELINE, '{"v":1}', { unconditional: true });

    await expect(store.put(BASELINE, '{"v":2}', { ifNoneMatch: '*' })).rejects.toThrow(
      /eu-west-1_Xk4Pz9QwE\.json/,
    );
  });

  it('overwrites unconditionally', async () => {
    await store.put('snapshots/eu-west-1_Xk4Pz9QwE.json', '{"v":1}', { unconditional: true });

    await store.put('snapshots/eu-west-1_Xk4Pz9QwE.json', '{"v":2}', { unconditional: true });

    expect((await store.get('snapshots/eu-west-1_Xk4Pz9QwE.json'))?.body).toBe('{"v":2}');
  });

  it('lists only the keys under a prefix, each with its current ETag', async () => {
    const a = await store.put('baselines/eu-west-1_AAAA.json', '{"a":1}', { unconditional: true });
    const b = await store.put('baselines/eu-west-1_BBBB.json', '{"b":1}', { unconditional: true });
    const snapshot = await store.put('snapshots/eu-west-1_AAAA.json', '{"s":1}', { unconditional: true });
    await store.put('state/detector-state.json', '{}', { unconditional: true });
    await store.put('reports/run-1.json', '{}', { unconditional: true });

    const baselines = await store.list('baselines/');
    const snapshots = await store.list('snapshots/');

    expect(sortByKey(baselines)).toEqual([
      { key: 'baselines/eu-west-1_AAAA.json', etag: a },
      { key: 'baselines/eu-west-1_BBBB.json', etag: b },
    ]);
    expect(snapshots).toEqual([{ key: 'snapshots/eu-west-1_AAAA.json', etag: snapshot }]);
    expect(await store.list('runs/')).toEqual([]);
  });

  it('lists every key when there are more than 1000 of them', async () => {
    const count = 1005;
    for (let i = 0; i < count; i++) {
      await store.put(`baselines/eu-west-1_P${String(i).padStart(5, '0')}.json`, `{"i":${i}}`, {
        unconditional: true,
      });
    }

    const listed = await store.list('baselines/');

    expect(listed).toHaveLength(count);
    expect(new Set(listed.map((o) => o.key)).size).toBe(count);
    expect(listed.map((o) => o.key)).toContain('baselines/eu-west-1_P01004.json');
    if (name === 'S3DocumentStore') {
      expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
      expect(s3Mock).toHaveReceivedNthCommandWith(ListObjectsV2Command, 2, {
        Bucket: 'cognito-drift-baselines-123456789012',
        Prefix: 'baselines/',
        ContinuationToken: expect.any(String),
      });
    }
  });

  describe('when the bucket or folder does not exist', () => {
    it.each([
      ['get', (s: DocumentStore) => s.get(BASELINE)],
      ['put', (s: DocumentStore) => s.put(BASELINE, '{}', { ifNoneMatch: '*' })],
      ['list', (s: DocumentStore) => s.list('baselines/')],
    ])('%s throws StoreUnavailableError naming it', async (_operation, call) => {
      const error = await call(subject.missing).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain(subject.missingName);
    });
  });
});

function sortByKey<T extends { key: string }>(items: T[]): T[] {
  return [...items].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}
