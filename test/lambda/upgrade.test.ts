/**
 * Upgrading: the documents an earlier release stored must still read. test/fixtures/release-0.1.0-flat/
 * holds what release 0.1.0 wrote to its bucket (a baseline, a snapshot, the state and a report,
 * for a pool whose MFA went from ON to OPTIONAL), committed as written; `__` stands for `/`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import { DetectorHarness, FakeAccount } from '../support/fake-aws.js';
import { MemoryDocumentStore } from '../support/memory-document-store.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/release-0.1.0-flat/', import.meta.url));
const POOL = 'us-east-1_Release01';

async function releaseDocuments(): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  for (const file of await readdir(FIXTURES)) {
    docs.set(file.replaceAll('__', '/'), await readFile(`${FIXTURES}${file}`, 'utf-8'));
  }
  return docs;
}

describe('documents stored by release 0.1.0', () => {
  it('read back as a baseline, a snapshot and a state', async () => {
    const documents = new MemoryDocumentStore();
    for (const [key, body] of await releaseDocuments()) documents.plant(key, body);
    const store = new DriftStore(documents);

    const baseline = await store.getBaseline(POOL);
    const snapshot = await store.getSnapshot(POOL);
    const state = await store.getState();

    expect(baseline?.doc.pool?.config).toMatchObject({ MfaConfiguration: 'ON' });
    expect(snapshot?.doc.pool?.config).toMatchObject({ MfaConfiguration: 'OPTIONAL' });
    expect(state?.doc.pools[POOL]?.drift?.snapshotHash).toBe(snapshot?.doc.hash);
  });

  describe('under the current detector', () => {
    let aws: FakeAccount;

    beforeEach(() => {
      aws = new FakeAccount();
    });

    afterEach(() => {
      aws.restore();
    });

    it('compare as before: the same drift, no store problem, nothing sent again', async () => {
      for (const [key, body] of await releaseDocuments()) aws.bucket.write(key, body);
      const pool = aws.addPool({ poolId: POOL, name: 'customers', config: { MfaConfiguration: 'OPTIONAL' } });
      aws.addClient(pool.poolId, { clientId: '1release0client0id00000001', name: 'web', confidential: true });
      const harness = new DetectorHarness(aws);
      harness.clock.advance(2 * 3_600_000);

      const run = await harness.run();

      expect(run.storeProblems).toEqual([]);
      expect(
        run.pools.find((p) => p.poolId === POOL)?.findings.map((f) => ('path' in f ? f.path : f.kind)),
      ).toEqual(['MfaConfiguration']);
      expect(run.sent).toEqual([]);
    });
  });
});
