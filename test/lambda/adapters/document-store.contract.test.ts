import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderDocumentStore } from '../../../lambda/adapters/folder-document-store.js';
import { S3VersionedDocumentStore } from '../../../lambda/adapters/s3-versioned-document-store.js';
import type { DocumentStore, VersionedDocumentStore } from '../../../lambda/core/ports.js';
import { ConflictError, StoreUnavailableError } from '../../../lambda/errors.js';
import { BUCKET, FakeAccount } from '../../support/fake-aws.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';

const exec = promisify(execFile);

/**
 * One DocumentStore implementation under test, with a twin whose bucket / folder does not exist.
 * The S3 store runs against the in-memory account every unit and scenario test uses, so that fake
 * is held to the same contract as the real stores.
 */
interface StoreUnderTest {
  store: VersionedDocumentStore;
  missing?: DocumentStore;
  /** The bucket or folder name the "missing" store's errors must name. */
  missingName?: string;
  /** What turns the writes so far into a version: nothing for S3, a commit for a folder in git. */
  keepVersion(): Promise<void>;
  /** The fake account behind the S3 store, to count the calls it received. */
  aws?: FakeAccount;
  cleanup(): Promise<void>;
}

const implementations: { name: string; create(): Promise<StoreUnderTest> }[] = [
  {
    name: 'FolderDocumentStore',
    async create() {
      const folder = await mkdtemp(join(tmpdir(), 'cognito-drift-contract-'));
      const missingFolder = join(folder, 'no-such-folder');
      const git = (...args: string[]) => exec('git', args, { cwd: folder });
      await git('init', '--quiet');
      return {
        store: new FolderDocumentStore(folder),
        missing: new FolderDocumentStore(missingFolder),
        missingName: missingFolder,
        async keepVersion() {
          await git('add', '--all', '.');
          await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'v');
        },
        cleanup: () => rm(folder, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'S3DocumentStore (on the fake account)',
    async create() {
      const aws = new FakeAccount();
      const client = new S3Client({ region: 'eu-west-1' });
      return {
        store: new S3VersionedDocumentStore(client, BUCKET),
        missing: new S3VersionedDocumentStore(client, 'cognito-drift-typo-bucket'),
        missingName: 'cognito-drift-typo-bucket',
        keepVersion: async () => undefined,
        aws,
        cleanup: async () => aws.restore(),
      };
    },
  },
  {
    name: 'MemoryDocumentStore',
    async create() {
      return {
        store: new MemoryDocumentStore(),
        keepVersion: async () => undefined,
        cleanup: async () => undefined,
      };
    },
  },
];

const BASELINE = 'baselines/eu-west-1_Xk4Pz9QwE.json';

describe.each(implementations)('DocumentStore contract: $name', ({ create }) => {
  let subject: StoreUnderTest;
  let store: VersionedDocumentStore;

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
    if (subject.aws) {
      expect(subject.aws.s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
      expect(subject.aws.s3).toHaveReceivedNthCommandWith(ListObjectsV2Command, 2, {
        Bucket: BUCKET,
        Prefix: 'baselines/',
        ContinuationToken: expect.any(String),
      });
    }
  });

  it('lists the versions of a key newest first, each loading the body it had', async () => {
    await store.put(BASELINE, '{"v":1}', { unconditional: true });
    await subject.keepVersion();
    await store.put('baselines/eu-west-1_Other.json', '{"other":1}', { unconditional: true });
    await store.put(BASELINE, '{"v":2}', { unconditional: true });
    await subject.keepVersion();

    const versions = await store.versions(BASELINE);

    expect(versions).toHaveLength(2);
    expect(await Promise.all(versions.map((v) => v.load()))).toEqual(['{"v":2}', '{"v":1}']);
    expect(new Set(versions.map((v) => v.version)).size).toBe(2);
    expect(versions.every((v) => !Number.isNaN(Date.parse(v.storedAt)))).toBe(true);
  });

  it('lists no versions of a key that was never written', async () => {
    await store.put(BASELINE, '{"v":1}', { unconditional: true });
    await subject.keepVersion();

    expect(await store.versions('baselines/eu-west-1_Never.json')).toEqual([]);
  });
});

describe.each(implementations.filter((i) => i.name !== 'MemoryDocumentStore'))(
  'DocumentStore contract: $name, when the bucket or folder does not exist',
  ({ create }) => {
    let subject: StoreUnderTest;

    beforeEach(async () => {
      subject = await create();
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it.each([
      ['get', (s: DocumentStore) => s.get(BASELINE)],
      ['put', (s: DocumentStore) => s.put(BASELINE, '{}', { ifNoneMatch: '*' })],
      ['list', (s: DocumentStore) => s.list('baselines/')],
    ])('%s throws StoreUnavailableError naming it', async (_operation, call) => {
      const error = await call(subject.missing as DocumentStore).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain(subject.missingName);
    });
  },
);

function sortByKey<T extends { key: string }>(items: T[]): T[] {
  return [...items].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}
