import { beforeEach, describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import { contentHash } from '../../../lambda/core/canonical.js';
import type { BaselineDoc, RunDoc, SnapshotDoc, StateDoc } from '../../../lambda/core/documents.js';
import { normalizeClient, normalizePool } from '../../../lambda/core/normalize.js';
import { ConflictError, MalformedDocumentError } from '../../../lambda/errors.js';
import {
  describeUserPoolResponse,
  describeWebClientResponse,
  listWebClientSecretsResponse,
  POOL_ID,
  WEB_CLIENT_ID,
} from '../../fixtures/cognito-responses.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';

const BASELINE_KEY = `baselines/${POOL_ID}.json`;

function baselineDoc(): BaselineDoc {
  const pool = normalizePool(describeUserPoolResponse(), [
    normalizeClient(describeWebClientResponse(), listWebClientSecretsResponse()),
  ]);
  const snapshotHash = contentHash(pool);
  return {
    formatVersion: 1,
    kind: 'baseline',
    poolId: POOL_ID,
    approvedAt: '2025-06-10T12:30:00.000Z',
    approvedBy: 'arn:aws:sts::123456789012:assumed-role/SecurityReviewer/alice',
    reason: 'Initial baseline',
    snapshotHash,
    pool,
  };
}

function snapshotDoc(): SnapshotDoc {
  return {
    formatVersion: 1,
    kind: 'snapshot',
    poolId: POOL_ID,
    capturedAt: '2025-06-10T12:00:00.000Z',
    runId: 'run-20250610T120000Z',
    hash: baselineDoc().snapshotHash,
    unreadableClients: [],
    pool: baselineDoc().pool,
  };
}

function stateDoc(): StateDoc {
  return {
    formatVersion: 1,
    kind: 'state',
    initializedAt: '2025-06-01T00:00:00.000Z',
    pools: { [POOL_ID]: { snapshotHash: 'a3f1c2' } },
  };
}

function runDoc(): RunDoc {
  return {
    formatVersion: 1,
    kind: 'run',
    runId: 'run-20250610T120000Z',
    startedAt: '2025-06-10T12:00:00.000Z',
    updatedAt: '2025-06-10T12:05:00.000Z',
    status: 'scanning',
    pools: [{ poolId: POOL_ID, poolName: 'customers-prod' }],
    outcomes: {},
    invocations: 1,
  };
}

/** Runs `read` and returns the MalformedDocumentError it must throw. */
async function malformed(read: () => Promise<unknown>): Promise<MalformedDocumentError> {
  const error = await read().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MalformedDocumentError);
  return error as MalformedDocumentError;
}

describe('DriftStore', () => {
  let documents: MemoryDocumentStore;
  let store: DriftStore;

  beforeEach(() => {
    documents = new MemoryDocumentStore('memory://drift-test');
    store = new DriftStore(documents);
  });

  describe('reading', () => {
    it('returns undefined for a document that does not exist', async () => {
      expect(await store.getBaseline(POOL_ID)).toBeUndefined();
      expect(await store.getSnapshot(POOL_ID)).toBeUndefined();
      expect(await store.getState()).toBeUndefined();
      expect(await store.getRun()).toBeUndefined();
    });

    it('returns a baseline it wrote, with the ETag to write it back', async () => {
      const etag = await store.putBaseline(baselineDoc(), null);

      const read = await store.getBaseline(POOL_ID);

      expect(read).toEqual({ doc: baselineDoc(), etag });
    });

    it('round-trips a snapshot, the state and the run', async () => {
      await store.putSnapshot(snapshotDoc());
      await store.putState(stateDoc(), null);
      await store.putRun(runDoc(), null);

      expect((await store.getSnapshot(POOL_ID))?.doc).toEqual(snapshotDoc());
      expect((await store.getState())?.doc).toEqual(stateDoc());
      expect((await store.getRun())?.doc).toEqual(runDoc());
    });

    it('rejects an object that is not JSON, naming its key', async () => {
      documents.plant(BASELINE_KEY, '{"formatVersion": 1, "kind": "baseline",');

      const error = await malformed(() => store.getBaseline(POOL_ID));

      expect(error.message).toContain(BASELINE_KEY);
      expect(error.message).toContain('not valid JSON');
      expect(error.key).toBe(BASELINE_KEY);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });

    it('rejects a document of another format version, naming its key and the version', async () => {
      documents.plant(BASELINE_KEY, JSON.stringify({ ...baselineDoc(), formatVersion: 2 }));

      const error = await malformed(() => store.getBaseline(POOL_ID));

      expect(error.message).toContain(BASELINE_KEY);
      expect(error.message).toContain('unknown formatVersion 2');
    });

    it('rejects a document stored under another pool id, naming the key and both pools', async () => {
      const other = { ...baselineDoc(), poolId: 'eu-west-1_Other0001' };
      documents.plant(BASELINE_KEY, JSON.stringify(other));

      const error = await malformed(() => store.getBaseline(POOL_ID));

      expect(error.message).toContain(BASELINE_KEY);
      expect(error.message).toContain(`describes pool eu-west-1_Other0001, not ${POOL_ID}`);
    });

    it('rejects a document whose embedded pool is another pool', async () => {
      const doc = baselineDoc();
      const mixed = { ...doc, pool: { ...doc.pool, poolId: 'eu-west-1_Other0001' } };
      documents.plant(BASELINE_KEY, JSON.stringify(mixed));

      const error = await malformed(() => store.getBaseline(POOL_ID));

      expect(error.message).toContain(BASELINE_KEY);
      expect(error.message).toContain(`describes pool eu-west-1_Other0001, not ${POOL_ID}`);
    });

    it('rejects a schema violation, naming the key and the path of the bad field', async () => {
      const doc = baselineDoc();
      const bad = structuredClone(doc) as unknown as {
        pool: { clients: Record<string, { secrets: Record<string, { createdAt: string }> }> };
      };
      const secrets = bad.pool.clients[WEB_CLIENT_ID]?.secrets ?? {};
      const [secretId] = Object.keys(secrets);
      secrets[secretId as string] = { createdAt: 'last tuesday' };
      documents.plant(BASELINE_KEY, JSON.stringify(bad));

      const error = await malformed(() => store.getBaseline(POOL_ID));

      expect(error.message).toContain(BASELINE_KEY);
      expect(error.message).toContain(`pool.clients.${WEB_CLIENT_ID}.secrets.${secretId}.createdAt`);
    });

    it('rejects a document with an unknown field rather than ignoring it', async () => {
      documents.plant(BASELINE_KEY, JSON.stringify({ ...baselineDoc(), approvedByy: 'typo' }));

      const error = await malformed(() => store.getBaseline(POOL_ID));

      expect(error.message).toContain(BASELINE_KEY);
      expect(error.message).toContain('approvedByy');
    });

    it('rejects a document of the wrong kind at a key', async () => {
      documents.plant(BASELINE_KEY, JSON.stringify(snapshotDoc()));

      const error = await malformed(() => store.getBaseline(POOL_ID));

      expect(error.message).toContain(BASELINE_KEY);
      expect(error.message).toContain('kind');
    });

    it('rejects JSON null and a document without formatVersion', async () => {
      documents.plant('state/detector-state.json', 'null');
      const { formatVersion: _v, ...unversioned } = runDoc();
      documents.plant('runs/current.json', JSON.stringify(unversioned));

      const stateError = await malformed(() => store.getState());
      const runError = await malformed(() => store.getRun());

      expect(stateError.message).toContain('state/detector-state.json');
      expect(runError.message).toContain('runs/current.json');
      expect(runError.message).toContain('formatVersion');
    });
  });

  describe('writing', () => {
    it('creates a baseline only if none exists (If-None-Match: *)', async () => {
      await store.putBaseline(baselineDoc(), null);

      expect(documents.writes).toEqual([{ key: BASELINE_KEY, condition: { ifNoneMatch: '*' } }]);
    });

    it('replaces a baseline only at the version it read (If-Match)', async () => {
      const etag = await store.putBaseline(baselineDoc(), null);

      await store.putBaseline({ ...baselineDoc(), reason: 'Approved new callback' }, etag);

      expect(documents.writes[1]).toEqual({ key: BASELINE_KEY, condition: { ifMatch: etag } });
      expect((await store.getBaseline(POOL_ID))?.doc.reason).toBe('Approved new callback');
    });

    it('lets a ConflictError through when the baseline changed since it was read', async () => {
      const etag = await store.putBaseline(baselineDoc(), null);
      await store.putBaseline({ ...baselineDoc(), reason: 'someone else' }, etag);

      await expect(store.putBaseline({ ...baselineDoc(), reason: 'me' }, etag)).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(store.putBaseline(baselineDoc(), null)).rejects.toBeInstanceOf(ConflictError);
    });

    it('writes state and run conditionally and snapshots and reports unconditionally', async () => {
      const stateEtag = await store.putState(stateDoc(), null);
      await store.putState(stateDoc(), stateEtag);
      await store.putRun(runDoc(), null);
      await store.putSnapshot(snapshotDoc());
      await store.putReport('run-20250610T120000Z', { findings: [] });

      expect(documents.writes).toEqual([
        { key: 'state/detector-state.json', condition: { ifNoneMatch: '*' } },
        { key: 'state/detector-state.json', condition: { ifMatch: stateEtag } },
        { key: 'runs/current.json', condition: { ifNoneMatch: '*' } },
        { key: `snapshots/${POOL_ID}.json`, condition: { unconditional: true } },
        { key: 'reports/run-20250610T120000Z.json', condition: { unconditional: true } },
      ]);
    });

    it('returns where a report was stored', async () => {
      const location = await store.putReport('run-20250610T120000Z', { findings: [] });

      expect(location).toBe('memory://drift-test/reports/run-20250610T120000Z.json');
    });

    it('writes stable, readable files: sorted keys, two-space indent', async () => {
      await store.putState(
        { pools: {}, kind: 'state', initializedAt: '2025-06-01T00:00:00.000Z', formatVersion: 1 },
        null,
      );

      expect(documents.objects.get('state/detector-state.json')?.body).toBe(
        '{\n  "formatVersion": 1,\n  "initializedAt": "2025-06-01T00:00:00.000Z",\n  "kind": "state",\n  "pools": {}\n}',
      );
    });
  });

  describe('listBaselines', () => {
    it('maps each baseline object to its pool id with its ETag, ignoring other files', async () => {
      const etag = await store.putBaseline(baselineDoc(), null);
      documents.plant('baselines/README.md', '# notes');
      await store.putSnapshot(snapshotDoc());

      const baselines = await store.listBaselines();

      expect([...baselines.entries()]).toEqual([[POOL_ID, { key: BASELINE_KEY, etag }]]);
    });
  });
});
