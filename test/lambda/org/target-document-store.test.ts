import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderDocumentStore } from '../../../lambda/adapters/folder-document-store.js';
import { keys, targetKey, untargetKey } from '../../../lambda/core/documents.js';
import { TargetDocumentStore } from '../../../lambda/org/target-document-store.js';

const A = { accountId: '111122223333', region: 'eu-west-1' };
const B = { accountId: '444455556666', region: 'eu-west-1' };

describe('the account/region layout', () => {
  it('puts the account and region after the kind folder of every document', () => {
    expect(targetKey(A, keys.baseline('eu-west-1_Abc'))).toBe(
      'baselines/111122223333/eu-west-1/eu-west-1_Abc.json',
    );
    expect(targetKey(A, keys.snapshot('eu-west-1_Abc'))).toBe(
      'snapshots/111122223333/eu-west-1/eu-west-1_Abc.json',
    );
    expect(targetKey(A, keys.state)).toBe('state/111122223333/eu-west-1/detector-state.json');
    expect(targetKey(A, keys.run)).toBe('runs/111122223333/eu-west-1/current.json');
    expect(targetKey(A, keys.report('r1'))).toBe('reports/111122223333/eu-west-1/r1.json');
  });

  it('maps a target key back, and refuses another target', () => {
    expect(untargetKey(A, 'baselines/111122223333/eu-west-1/x.json')).toBe('baselines/x.json');
    expect(untargetKey(B, 'baselines/111122223333/eu-west-1/x.json')).toBeUndefined();
    expect(untargetKey(A, 'baselines/x.json')).toBeUndefined();
  });
});

describe('TargetDocumentStore on a folder', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'targets-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('keeps two targets apart: each lists only its own baselines, under its own folder', async () => {
    const inner = new FolderDocumentStore(folder);
    const a = new TargetDocumentStore(inner, A);
    const b = new TargetDocumentStore(inner, B);
    await a.put('baselines/eu-west-1_Same.json', '{"a":1}', { ifNoneMatch: '*' });
    await b.put('baselines/eu-west-1_Same.json', '{"b":1}', { ifNoneMatch: '*' });
    await a.put('state/detector-state.json', '{}', { ifNoneMatch: '*' });

    expect((await a.list('baselines/')).map((o) => o.key)).toEqual(['baselines/eu-west-1_Same.json']);
    expect((await a.get('baselines/eu-west-1_Same.json'))?.body).toBe('{"a":1}');
    expect((await b.get('baselines/eu-west-1_Same.json'))?.body).toBe('{"b":1}');
    expect(await b.get('state/detector-state.json')).toBeUndefined();
    expect(a.locate('baselines/eu-west-1_Same.json')).toBe(
      join(folder, '111122223333/eu-west-1/eu-west-1_Same.json'),
    );
    expect((await inner.list('baselines/')).map((o) => o.key)).toEqual([
      'baselines/111122223333/eu-west-1/eu-west-1_Same.json',
      'baselines/444455556666/eu-west-1/eu-west-1_Same.json',
    ]);
  });
});
