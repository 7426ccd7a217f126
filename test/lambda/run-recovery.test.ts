import { describe, expect, it } from 'vitest';
import { runDetection } from '../../lambda/core/detector.js';
import { keys } from '../../lambda/core/documents.js';
import { DriftStore } from '../../lambda/core/drift-store.js';
import type {
  AlertMessage,
  DocumentStore,
  ListedObject,
  PoolReader,
  PoolReadResult,
  PoolRef,
  StoredObject,
  WriteCondition,
} from '../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../lambda/core/types.js';
import { ConflictError } from '../../lambda/errors.js';

class MemoryDocuments implements DocumentStore {
  readonly location = 'memory://test';
  readonly objects = new Map<string, StoredObject>();
  private version = 0;

  async get(key: string) {
    return this.objects.get(key);
  }

  async put(key: string, body: string, condition: WriteCondition) {
    const current = this.objects.get(key);
    if ('ifNoneMatch' in condition && current) throw new ConflictError(key);
    if ('ifMatch' in condition && current?.etag !== condition.ifMatch) throw new ConflictError(key);
    const etag = `"v${++this.version}"`;
    this.objects.set(key, { body, etag });
    return etag;
  }

  async list(prefix: string): Promise<ListedObject[]> {
    return [...this.objects].filter(([k]) => k.startsWith(prefix)).map(([key, o]) => ({ key, etag: o.etag }));
  }
}

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

async function run(documents: MemoryDocuments, pools: PoolSnapshot[]) {
  const sent: AlertMessage[] = [];
  const result = await runDetection(
    {
      reader: readerOf(pools),
      store: new DriftStore(documents),
      notifier: { publish: async (m) => void sent.push(m) },
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      now: () => new Date('2026-11-23T12:00:00Z'),
    },
    {
      accountId: '123456789012',
      region: 'eu-west-1',
      reminderIntervalMs: 86_400_000,
      approveCommand: (id) => `approve ${id}`,
      safetyMarginMs: 0,
      poolConcurrency: 2,
      maxRunAgeMs: 3_600_000,
    },
  );
  return { result, sent };
}

describe('run recovery', () => {
  it('reports a pool without baseline as added, not silently baselined, when the state document was lost', async () => {
    const documents = new MemoryDocuments();
    await run(documents, [pool('eu-west-1_A')]);
    documents.objects.delete(keys.state);

    const { result, sent } = await run(documents, [pool('eu-west-1_A'), pool('eu-west-1_B')]);

    expect(result.firstRun).toBe(false);
    expect(documents.objects.has(keys.baseline('eu-west-1_B'))).toBe(false);
    expect(result.pools.find((p) => p.poolId === 'eu-west-1_B')?.findings.map((f) => f.kind)).toEqual([
      'pool-added',
    ]);
    expect(sent.map((m) => m.attributes.kind)).toEqual(['drift']);
  });

  it('starts a new run instead of failing forever when the run-progress document is corrupt', async () => {
    const documents = new MemoryDocuments();
    await run(documents, [pool('eu-west-1_A')]);
    documents.objects.set(keys.run, { body: '{"formatVersion": 1, "kind": "run", "oops', etag: '"corrupt"' });

    const { result } = await run(documents, [pool('eu-west-1_A')]);

    expect(result.done).toBe(true);
    expect(JSON.parse(documents.objects.get(keys.run)?.body ?? '{}')).toMatchObject({
      kind: 'run',
      status: 'complete',
    });
  });
});
