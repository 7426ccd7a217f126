import { describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { PoolReader, PoolRef } from '../../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import { poolSnapshot } from '../../fixtures/snapshots.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';
import { detect, HOUR, T0 } from './run-harness.js';

const BIG = 'eu-west-1_big';
const SMALL = 'eu-west-1_small';

/**
 * One pool whose reads never fit in an invocation must not hold back the alerts of the others: after
 * a bounded number of interrupted invocations it is reported as too large and the run finishes.
 * (issue 17, item 11)
 */
describe('a pool too large for one invocation', () => {
  it('is reported after 3 interrupted invocations, and the drift found elsewhere is alerted', async () => {
    const store = new DriftStore(new MemoryDocumentStore());
    let clock = T0;
    const pools: Record<string, PoolSnapshot> = {
      [BIG]: poolSnapshot({ MfaConfiguration: 'ON' }, [], { poolId: BIG, poolName: 'big' }),
      [SMALL]: poolSnapshot({ MfaConfiguration: 'ON' }, [], { poolId: SMALL, poolName: 'small' }),
    };
    let bigFits = true;
    let bigReads = 0;
    const reader: PoolReader = {
      listPools: async () => Object.values(pools).map((p) => ({ poolId: p.poolId, poolName: p.poolName })),
      readPool: async (ref: PoolRef, signal?: AbortSignal) => {
        if (ref.poolId === BIG && !bigFits) {
          bigReads += 1;
          // Reads until the invocation's time runs out, as a pool with too many pages does.
          await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
          throw signal?.reason;
        }
        return {
          status: 'ok',
          pool: structuredClone(pools[ref.poolId] as PoolSnapshot),
          unreadableClients: [],
        };
      },
    };
    const invoke = async (runId?: string, remainingMs?: number) => {
      const ran = await detect(
        { reader, store, now: () => new Date(clock) },
        {
          // A few milliseconds per invocation: the big pool's read is cut off at once.
          ...(remainingMs === undefined ? {} : { remainingTimeMs: () => remainingMs }),
          poolConcurrency: 2,
          maxRunAgeMs: 24 * HOUR,
          mode: { kind: 'sweep', alerts: 'delivered', ...(runId ? { runId } : {}) },
        },
      );
      clock += 60_000;
      return ran;
    };

    await invoke();
    clock += HOUR;
    bigFits = false;
    pools[SMALL] = { ...(pools[SMALL] as PoolSnapshot), config: { MfaConfiguration: 'OFF' } };

    const first = await invoke(undefined, 5);
    expect(first.result.done).toBe(false);
    const second = await invoke(first.result.runId, 5);
    expect(second.result.done).toBe(false);
    const third = await invoke(first.result.runId, 5);
    expect(third.result.done).toBe(false);
    const fourth = await invoke(first.result.runId, 5);

    expect(bigReads).toBe(3);
    expect(fourth.result.done).toBe(true);
    expect(fourth.kinds).toEqual(['drift', 'scan-incomplete']);
    const incomplete = fourth.sent.find((m) => m.attributes.kind === 'scan-incomplete');
    expect(incomplete?.body).toContain(`Pool big (${BIG}): could not be read (too large for one invocation)`);
    expect(fourth.result.pools.find((p) => p.poolId === BIG)?.outcome).toBe('unreadable');
  });
});
