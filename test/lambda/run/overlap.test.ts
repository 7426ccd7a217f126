import { describe, expect, it } from 'vitest';
import { DriftStore } from '../../../lambda/adapters/drift-store.js';
import type { AlertMessage, PoolReader, PoolRef } from '../../../lambda/core/ports.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import type { RunMode } from '../../../lambda/run/run-mode.js';
import { clientSnapshot, poolSnapshot } from '../../fixtures/snapshots.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';
import { detect, HOUR, T0 } from './run-harness.js';

const POOL = 'eu-west-1_shop';

/**
 * A real-time check and a sweep that overlap: the sweep reads the state, then, while it reads the
 * pool, a real-time check alerts the same drift and marks it. (issue 17, item 9)
 */
describe('a real-time check and a sweep that overlap', () => {
  const approved = poolSnapshot({ MfaConfiguration: 'ON' }, [clientSnapshot('c1', { a: 1 })], {
    poolId: POOL,
    poolName: 'shop',
  });
  const drifted: PoolSnapshot = { ...approved, config: { MfaConfiguration: 'OFF' } };

  function setup() {
    const documents = new MemoryDocumentStore();
    const store = new DriftStore(documents);
    const sent: { by: string; message: AlertMessage }[] = [];
    let clock = T0;
    let current = approved;
    let duringRead: (() => Promise<void>) | undefined;
    const reader: PoolReader = {
      listPools: async () => [{ poolId: POOL, poolName: 'shop' }],
      readPool: async (_ref: PoolRef) => {
        const hook = duringRead;
        duringRead = undefined;
        await hook?.();
        return { status: 'ok', pool: structuredClone(current), unreadableClients: [] };
      },
    };
    const run = async (by: string, mode: RunMode) => {
      const notifier = { publish: async (message: AlertMessage) => void sent.push({ by, message }) };
      return (await detect({ reader, store, notifier, now: () => new Date(clock) }, { mode })).result;
    };
    return {
      sent,
      run,
      drift: () => {
        current = drifted;
      },
      advance: (ms: number) => {
        clock += ms;
      },
      whileReading: (hook: () => Promise<void>) => {
        duringRead = hook;
      },
    };
  }

  it('alert the drift once: the sweep decides again on the state the real-time check left', async () => {
    const world = setup();
    await world.run('sweep', { kind: 'sweep', alerts: 'delivered' });
    world.drift();
    world.advance(HOUR);
    world.whileReading(async () => {
      await world.run('realtime', { kind: 'targeted', alerts: 'delivered', runId: 'rt-1', pools: [POOL] });
    });

    const sweep = await world.run('sweep', { kind: 'sweep', alerts: 'delivered' });

    const driftAlerts = world.sent.filter(({ message }) => message.attributes.kind === 'drift');
    expect(driftAlerts.map(({ by }) => by)).toEqual(['realtime']);
    expect(sweep.pools[0]?.findings).toHaveLength(1);
    expect(sweep.alerts.drifts).toEqual([]);

    // And the state keeps the mark: the next sweep, within the reminder interval, says nothing.
    world.advance(HOUR);
    const next = await world.run('sweep', { kind: 'sweep', alerts: 'delivered' });
    expect(next.messages).toEqual([]);
  });

  it('a sweep alone still alerts (the decision is only taken again when the state changed)', async () => {
    const world = setup();
    await world.run('sweep', { kind: 'sweep', alerts: 'delivered' });
    world.drift();
    world.advance(HOUR);
    const sweep = await world.run('sweep', { kind: 'sweep', alerts: 'delivered' });
    expect(sweep.messages.map((m) => m.attributes.kind)).toEqual(['drift']);
  });
});
