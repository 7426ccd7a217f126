import { describe, expect, it } from 'vitest';
import { DriftStore } from '../../lambda/adapters/drift-store.js';
import { keys } from '../../lambda/core/documents.js';
import type { AlertMessage, PoolReader, PoolReadResult, PoolRef } from '../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../lambda/core/types.js';
import { MemoryDocumentStore } from '../support/memory-document-store.js';
import { detect } from './run/run-harness.js';

const ACCOUNT = '123456789012';

const pool = (poolId: string): PoolSnapshot => ({
  poolId,
  poolName: `pool ${poolId}`,
  config: { MfaConfiguration: 'ON' },
  clients: {},
});

function readerOf(pools: PoolSnapshot[]): PoolReader {
  return {
    listPools: async (): Promise<PoolRef[]> => pools.map((p) => ({ poolId: p.poolId, poolName: p.poolName })),
    readPool: async (ref): Promise<PoolReadResult> => {
      const found = pools.find((p) => p.poolId === ref.poolId);
      return found
        ? { status: 'ok', pool: structuredClone(found), unreadableClients: [] }
        : { status: 'gone' };
    },
  };
}

async function run(
  documents: MemoryDocumentStore,
  pools: PoolSnapshot[],
  invocation: { at?: string; runId?: string; outOfTime?: boolean; reads?: string[] } = {},
) {
  const reader = readerOf(pools);
  const reading: PoolReader = {
    listPools: reader.listPools,
    readPool: async (ref) => {
      invocation.reads?.push(ref.poolId);
      return reader.readPool(ref);
    },
  };
  const { result, sent } = await detect(
    {
      reader: reading,
      store: new DriftStore(documents),
      now: () => new Date(invocation.at ?? '2026-11-23T12:00:00Z'),
    },
    {
      accountId: ACCOUNT,
      ...(invocation.outOfTime ? { safetyMarginMs: 60_000, remainingTimeMs: () => 1_000 } : {}),
      poolConcurrency: 2,
      mode: { kind: 'sweep', alerts: 'delivered', ...(invocation.runId ? { runId: invocation.runId } : {}) },
    },
  );
  return { result, sent };
}

describe('run recovery', () => {
  it('reports a pool without baseline as added, not silently baselined, when the state document was lost', async () => {
    const documents = new MemoryDocumentStore();
    await run(documents, [pool('eu-west-1_A')]);
    documents.objects.delete(keys.state);

    const { result, sent } = await run(documents, [pool('eu-west-1_A'), pool('eu-west-1_B')]);

    expect(documents.objects.has(keys.baseline('eu-west-1_B'))).toBe(false);
    expect(result.pools.find((p) => p.poolId === 'eu-west-1_B')?.findings.map((f) => f.kind)).toEqual([
      'pool-added',
    ]);
    expect(sent.map((m) => m.attributes.kind)).toContain('drift');
  });

  it('starts a new run instead of failing forever when the run-progress document is corrupt', async () => {
    const documents = new MemoryDocumentStore();
    await run(documents, [pool('eu-west-1_A')]);
    documents.objects.set(keys.run, { body: '{"formatVersion": 1, "kind": "run", "oops', etag: '"corrupt"' });

    const { result } = await run(documents, [pool('eu-west-1_A')]);

    expect(result.done).toBe(true);
    expect(JSON.parse(documents.objects.get(keys.run)?.body ?? '{}')).toMatchObject({
      kind: 'run',
      status: 'complete',
    });
  });

  describe('a scan longer than the schedule period', () => {
    const pools = [pool('eu-west-1_A'), pool('eu-west-1_B')];

    async function pausedRun(documents: MemoryDocumentStore): Promise<string> {
      await run(documents, pools);
      const paused = await run(documents, pools, { at: '2026-11-23T13:00:00Z', outOfTime: true });
      expect(paused.result.done).toBe(false);
      return paused.result.runId;
    }

    it('is left alone by a new execution while it is being worked on', async () => {
      const documents = new MemoryDocumentStore();
      const runId = await pausedRun(documents);
      const reads: string[] = [];

      // Within the lease it handed to its own next invocation (5 minutes).
      const { result } = await run(documents, pools, { at: '2026-11-23T13:04:00Z', reads });

      expect(result.skipped).toContain(runId);
      expect(result.done).toBe(true);
      expect(reads).toEqual([]);
      expect(JSON.parse(documents.objects.get(keys.run)?.body ?? '{}').status).toBe('scanning');
    });

    it('is continued by its own execution, which then finishes it', async () => {
      const documents = new MemoryDocumentStore();
      const runId = await pausedRun(documents);
      const reads: string[] = [];

      const { result } = await run(documents, pools, { at: '2026-11-23T13:05:00Z', runId, reads });

      expect(result).toMatchObject({ runId, done: true });
      expect(reads.sort()).toEqual(['eu-west-1_A', 'eu-west-1_B']);
      expect(JSON.parse(documents.objects.get(keys.run)?.body ?? '{}').status).toBe('complete');
    });

    it('is taken up by a new execution once its own went quiet', async () => {
      const documents = new MemoryDocumentStore();
      const runId = await pausedRun(documents);

      const { result } = await run(documents, pools, { at: '2026-11-23T13:30:00Z' });

      expect(result).toMatchObject({ runId, done: true });
      expect(result.skipped).toBeUndefined();
      expect(result.pools.map((p) => p.poolId)).toEqual(['eu-west-1_A', 'eu-west-1_B']);
    });

    it('stops an execution whose run was finished by another', async () => {
      const documents = new MemoryDocumentStore();
      const runId = await pausedRun(documents);
      await run(documents, pools, { at: '2026-11-23T13:30:00Z' });
      const reads: string[] = [];

      const { result } = await run(documents, pools, { at: '2026-11-23T13:31:00Z', runId, reads });

      expect(result.skipped).toContain('finished or taken up');
      expect(reads).toEqual([]);
    });
  });

  it('stops with a notice naming the key when the state document is corrupt, writing nothing', async () => {
    const documents = new MemoryDocumentStore();
    await run(documents, [pool('eu-west-1_A')]);
    documents.objects.set(keys.state, { body: '{"formatVersion": 3}', etag: '"bad"' });
    const before = new Map(documents.objects);
    const sent: AlertMessage[] = [];

    const failed = detect(
      {
        reader: readerOf([pool('eu-west-1_A'), pool('eu-west-1_B')]),
        store: new DriftStore(documents),
        notifier: { publish: async (m) => void sent.push(m) },
        now: () => new Date('2026-11-23T14:00:00Z'),
      },
      { accountId: ACCOUNT, poolConcurrency: 2 },
    );

    await expect(failed).rejects.toThrow(/state\/detector-state\.json.*unknown formatVersion 3/);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.attributes.kind).toBe('store-problem');
    expect(sent[0]?.body).toContain('memory://test/state/detector-state.json: unknown formatVersion 3');
    expect(new Map(documents.objects)).toEqual(before);
  });
});
