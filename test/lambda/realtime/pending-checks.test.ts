import { describe, expect, it } from 'vitest';
import type { TrailEvent } from '../../../lambda/core/attribution.js';
import type { StoredObject, WriteCondition } from '../../../lambda/core/ports.js';
import {
  PENDING_EVENTS_PREFIX,
  PENDING_KEY,
  PendingCheckQueue,
} from '../../../lambda/realtime/pending-checks.js';
import { MemoryDocumentStore } from '../../support/memory-document-store.js';

const STALE_MS = 16 * 60_000;
const T0 = new Date('2026-12-05T10:00:00.000Z');

function event(i: number, poolId = `eu-west-1_pool${i % 7}`): TrailEvent {
  return {
    eventId: `0000${i}-aaaa-bbbb-cccc-${String(i).padStart(12, '0')}`,
    eventName: 'UpdateUserPoolClient',
    eventSource: 'cognito-idp.amazonaws.com',
    eventTime: new Date(T0.getTime() + i).toISOString(),
    principalArn: `arn:aws:iam::123456789012:user/writer${i}`,
    resources: { userPoolId: poolId, clientId: `client${i}` },
  };
}

/** The memory store, counting every call (no clock: contention is the order of the awaits). */
class CountingStore extends MemoryDocumentStore {
  readonly calls = { get: 0, put: 0, conflicts: 0, list: 0 };

  override async get(key: string): Promise<StoredObject | undefined> {
    this.calls.get += 1;
    return super.get(key);
  }

  override async put(key: string, body: string, condition: WriteCondition): Promise<string> {
    this.calls.put += 1;
    try {
      return await super.put(key, body, condition);
    } catch (error) {
      this.calls.conflicts += 1;
      throw error;
    }
  }

  override async list(prefix: string) {
    this.calls.list += 1;
    return super.list(prefix);
  }
}

describe('PendingCheckQueue', () => {
  it('takes a burst of 200 concurrent events into one batch: every event enqueued, one owner, every pool checked', async () => {
    const store = new CountingStore();
    const queue = new PendingCheckQueue(store, STALE_MS);
    const events = Array.from({ length: 200 }, (_, i) => event(i));

    const results = await Promise.allSettled(
      events.map((e) => queue.enqueue(T0, e, [e.resources.userPoolId as string], [])),
    );

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    expect(outcomes.filter((o) => o?.owner)).toHaveLength(1);
    const batchId = outcomes.find((o) => o?.owner)?.batchId as string;
    expect(new Set(outcomes.map((o) => o?.batchId))).toEqual(new Set([batchId]));
    // One object per event, and the marker written once: 200 concurrent opens conflict once each at most.
    expect(store.writes.filter((w) => w.key.startsWith(PENDING_EVENTS_PREFIX))).toHaveLength(200);
    expect(store.writes.filter((w) => w.key === PENDING_KEY)).toHaveLength(1);
    expect(store.calls.conflicts).toBeLessThanOrEqual(199);
    // The bound: each enqueue made at most two attempts (two marker reads to open, one more to confirm).
    expect(store.calls.get).toBeLessThanOrEqual(200 * 3);

    const taken = await queue.take(batchId, new Date(T0.getTime() + 60_000));
    expect(taken?.pools).toBeDefined();
    const takenEvents = Object.values(taken?.pools ?? {}).flat();
    expect(takenEvents.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(Object.keys(taken?.pools ?? {}).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `eu-west-1_pool${i}`).sort(),
    );
  });

  it('opens exactly one new batch for a second burst of 200 right after the first was taken', async () => {
    const store = new CountingStore();
    const queue = new PendingCheckQueue(store, STALE_MS);
    const first = await Promise.all(
      Array.from({ length: 200 }, (_, i) => queue.enqueue(T0, event(i), [`p${i}`], [])),
    );
    const owner = first.find((o) => o.owner);
    await queue.take(owner?.batchId as string, new Date(T0.getTime() + 60_000));

    // A second burst right after the take: the closed marker is opened again by exactly one event.
    const later = new Date(T0.getTime() + 61_000);
    const second = await Promise.all(
      Array.from({ length: 200 }, (_, i) => queue.enqueue(later, event(1000 + i), [`q${i}`], [])),
    );

    expect(second.filter((o) => o.owner)).toHaveLength(1);
    const batch = await queue.take(second.find((o) => o.owner)?.batchId as string, later);
    expect(Object.keys(batch?.pools ?? {})).toHaveLength(200);
  });

  it('sends an event whose batch closed while it joined to the next batch, so no pool is lost', async () => {
    const store = new MemoryDocumentStore();
    const queue = new PendingCheckQueue(store, STALE_MS);
    const opened = await queue.enqueue(T0, event(1), ['p1'], []);
    // The owner takes its batch between the joiner's marker read and its confirming read.
    const realPut = store.put.bind(store);
    let tookOnce = false;
    store.put = async (key, body, condition) => {
      const etag = await realPut(key, body, condition);
      if (!tookOnce && key.startsWith(PENDING_EVENTS_PREFIX) && body.includes(event(2).eventId)) {
        tookOnce = true;
        await queue.take(opened.batchId, T0);
      }
      return etag;
    };

    const joined = await queue.enqueue(T0, event(2), ['p2'], []);

    expect(joined.owner).toBe(true);
    expect(joined.batchId).not.toBe(opened.batchId);
    const next = await queue.take(joined.batchId, T0);
    expect(Object.keys(next?.pools ?? {})).toEqual(['p2']);
  });

  it('writes a redelivered event once', async () => {
    const store = new MemoryDocumentStore();
    const queue = new PendingCheckQueue(store, STALE_MS);
    const first = await queue.enqueue(T0, event(1), ['p1'], []);
    await queue.enqueue(T0, event(1), ['p1'], []);

    const taken = await queue.take(first.batchId, T0);
    expect(taken?.pools.p1).toHaveLength(1);
  });

  it("inherits a stale batch whose owner died, with its events, and the dead owner's take finds nothing", async () => {
    const store = new MemoryDocumentStore();
    const queue = new PendingCheckQueue(store, STALE_MS);
    const dead = await queue.enqueue(T0, event(1), ['p1'], []);
    const later = new Date(T0.getTime() + STALE_MS + 1);

    const next = await queue.enqueue(later, event(2), ['p2'], []);

    expect(next.owner).toBe(true);
    expect(await queue.take(dead.batchId, later)).toBeUndefined();
    const taken = await queue.take(next.batchId, later);
    expect(Object.keys(taken?.pools ?? {}).sort()).toEqual(['p1', 'p2']);
  });

  it("still reads an earlier release's single queue document: its open batch's pools are checked with the next batch", async () => {
    const store = new MemoryDocumentStore();
    store.plant(
      PENDING_KEY,
      JSON.stringify({
        formatVersion: 1,
        kind: 'pending-checks',
        batchId: 'realtime-old',
        openedAt: T0.toISOString(),
        pools: { old1: [event(9, 'old1')] },
        identityPools: [],
      }),
    );
    const queue = new PendingCheckQueue(store, STALE_MS);

    const next = await queue.enqueue(T0, event(2), ['p2'], []);

    expect(next.owner).toBe(true);
    const taken = await queue.take(next.batchId, T0);
    expect(Object.keys(taken?.pools ?? {}).sort()).toEqual(['old1', 'p2']);
  });
});
