import { describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { PoolReader, PoolRef } from '../../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import { clientSnapshot, poolSnapshot } from '../../fixtures/snapshots.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';
import { detect, HOUR } from './run-harness.js';

const T0 = new Date('2026-12-01T00:00:00.000Z');

/** A store that remembers every key it wrote and every key read after it was written. */
class WatchedStore extends MemoryDocumentStore {
  readonly written = new Set<string>();
  readonly readBack: string[] = [];
  override async get(key: string) {
    if (this.written.has(key)) this.readBack.push(key);
    return super.get(key);
  }
  override async put(...args: Parameters<MemoryDocumentStore['put']>) {
    this.written.add(args[0]);
    return super.put(...args);
  }
}

function reader(pools: PoolSnapshot[], surfaceNames: string[] = []): PoolReader {
  return {
    surfaceNames,
    listPools: async () => pools.map((p) => ({ poolId: p.poolId, poolName: p.poolName })),
    readPool: async (ref: PoolRef) => {
      const pool = pools.find((p) => p.poolId === ref.poolId);
      return pool ? { status: 'ok', pool: structuredClone(pool), unreadableClients: [] } : { status: 'gone' };
    },
  };
}

async function run(documents: WatchedStore, pools: PoolSnapshot[], at: Date, surfaceNames: string[] = []) {
  documents.written.clear();
  documents.readBack.length = 0;
  const store = new DriftStore(documents);
  return detect({ reader: reader(pools, surfaceNames), store, now: () => at }, { poolConcurrency: 2 });
}

describe('a run reads back nothing it wrote', () => {
  const a = poolSnapshot({ MfaConfiguration: 'ON' }, [clientSnapshot('c1', { a: 1 })], {
    poolId: 'eu-west-1_a',
    poolName: 'a',
  });
  const b = poolSnapshot({ MfaConfiguration: 'ON' }, [], { poolId: 'eu-west-1_b', poolName: 'b' });

  it('the first run records snapshots and baselines without reading either back', async () => {
    const documents = new WatchedStore();
    const { sent } = await run(documents, [a, b], T0);
    expect([...documents.written].filter((k) => k.startsWith('baselines/')).sort()).toEqual([
      'baselines/eu-west-1_a.json',
      'baselines/eu-west-1_b.json',
    ]);
    expect(sent.map((m) => m.attributes.kind)).toEqual(['baseline-created']);
    expect(documents.readBack).toEqual([]);
  });

  it('an upgrade records a newly watched surface into the baseline without reading it back', async () => {
    const documents = new WatchedStore();
    await run(documents, [a], T0);
    const withMfa: PoolSnapshot = {
      ...a,
      surfaces: { mfa: { mfa: { name: 'mfa', config: { sms: false } } } },
    };
    const { result, sent } = await run(documents, [withMfa], new Date(T0.getTime() + HOUR), ['mfa']);
    expect(documents.written.has('baselines/eu-west-1_a.json')).toBe(true);
    expect(result.pools[0]?.findings).toEqual([]);
    expect(sent.map((m) => m.attributes.kind)).toEqual(['now-watching']);
    expect(documents.readBack).toEqual([]);
  });
});
