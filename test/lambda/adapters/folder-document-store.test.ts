import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderDocumentStore, WORK_FOLDER } from '../../../lambda/adapters/folder-document-store.js';

describe('FolderDocumentStore', () => {
  let folder: string;
  let store: FolderDocumentStore;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cognito-drift-folder-'));
    store = new FolderDocumentStore(folder);
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('keeps a baseline as <folder>/<poolId>.json, byte for byte, for review in git', async () => {
    const body = '{\n  "kind": "baseline"\n}';

    await store.put('baselines/eu-west-1_Xk4Pz9QwE.json', body, { ifNoneMatch: '*' });

    expect(await readFile(join(folder, 'eu-west-1_Xk4Pz9QwE.json'), 'utf-8')).toBe(body);
  });

  it('keeps every other document under the .work subfolder', async () => {
    await store.put('snapshots/eu-west-1_Xk4Pz9QwE.json', '{}', { unconditional: true });
    await store.put('state/detector-state.json', '{}', { unconditional: true });

    expect((await readdir(folder)).sort()).toEqual([WORK_FOLDER]);
    expect((await readdir(join(folder, WORK_FOLDER))).sort()).toEqual(['snapshots', 'state']);
  });

  it('lists a baseline someone added by hand to the folder', async () => {
    await writeFile(join(folder, 'eu-west-1_ByHand0001.json'), '{"kind":"baseline"}');
    await writeFile(join(folder, 'README.md'), '# baselines');

    const listed = await store.list('baselines/');

    expect(listed.map((o) => o.key)).toEqual(['baselines/eu-west-1_ByHand0001.json']);
    expect(listed[0]?.etag).toBe((await store.get('baselines/eu-west-1_ByHand0001.json'))?.etag);
  });

  it('does not list work documents as baselines or baselines as work documents', async () => {
    await store.put('baselines/eu-west-1_A.json', '{}', { unconditional: true });
    await store.put('snapshots/eu-west-1_A.json', '{}', { unconditional: true });

    expect((await store.list('baselines/')).map((o) => o.key)).toEqual(['baselines/eu-west-1_A.json']);
    expect((await store.list('snapshots/')).map((o) => o.key)).toEqual(['snapshots/eu-west-1_A.json']);
  });

  it('leaves no temporary files behind after replacing a document', async () => {
    const etag = await store.put('baselines/eu-west-1_A.json', '{"v":1}', { ifNoneMatch: '*' });

    await store.put('baselines/eu-west-1_A.json', '{"v":2}', { ifMatch: etag });

    expect(await readdir(folder)).toEqual(['eu-west-1_A.json']);
  });

  it('refuses a key that climbs out of the folder', async () => {
    await expect(store.put('baselines/../../etc/passwd.json', '{}', { unconditional: true })).rejects.toThrow(
      /Refusing a key with "\.\."/,
    );
  });

  it('derives the ETag from the content, so an edit by hand is a new version', async () => {
    const etag = await store.put('baselines/eu-west-1_A.json', '{"v":1}', { ifNoneMatch: '*' });
    await writeFile(join(folder, 'eu-west-1_A.json'), '{"v":"edited"}');

    const read = await store.get('baselines/eu-west-1_A.json');

    expect(read?.body).toBe('{"v":"edited"}');
    expect(read?.etag).not.toBe(etag);
  });

  it('tells how to fix a missing folder', async () => {
    const missing = new FolderDocumentStore(join(folder, 'nope'));

    await expect(missing.get('baselines/eu-west-1_A.json')).rejects.toThrow(
      `Baselines folder ${join(folder, 'nope')} does not exist: create it or pass --dir.`,
    );
  });
});
