import { z } from 'zod';
import type { TrailEvent } from '../core/attribution.js';
import type { DocumentStore } from '../core/ports.js';
import { ConflictError } from '../errors.js';

/**
 * The debounce of the real-time path: a burst of events becomes one targeted check.
 *
 * One document, `realtime/pending.json`, collects the pools named by events since the current batch
 * opened. The invocation that opens a batch owns it: it waits the debounce window, then takes the
 * batch (the document is emptied in one conditional write) and checks its pools. Invocations whose
 * event joins an open batch return at once. Every write is conditional, so two events arriving
 * together cannot lose each other's pools.
 *
 * Why a document and a wait in the owner rather than, say, an SQS batching window or a Step
 * Functions Wait state: it behaves the same whether the rule targets the state machine or the
 * function, it needs no other resource, and it is tested here with the in-memory store and a manual
 * clock. The cost is the owner's idle time (the window, 60 s by default, per burst).
 */
export const PENDING_KEY = 'realtime/pending.json';

const trailEventSchema = z.strictObject({
  eventId: z.string(),
  eventName: z.string(),
  eventSource: z.string(),
  eventTime: z.string(),
  principalArn: z.string(),
  principalName: z.string().optional(),
  sourceIp: z.string().optional(),
  userAgent: z.string().optional(),
  resources: z.strictObject({
    userPoolId: z.string().optional(),
    clientId: z.string().optional(),
    providerName: z.string().optional(),
    groupName: z.string().optional(),
    identityPoolId: z.string().optional(),
  }),
});

const pendingSchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.literal('pending-checks'),
  /** The open batch, or null when none is (the last one was taken). */
  batchId: z.string().nullable(),
  openedAt: z.string(),
  /** Events by user pool id: the pools to check and, for each, who changed it. */
  pools: z.record(z.string(), z.array(trailEventSchema)),
  identityPools: z.array(z.string()),
});
export type PendingChecks = z.infer<typeof pendingSchema>;

/** The pools and events of a batch that was taken for checking. */
export interface TakenBatch {
  batchId: string;
  pools: Record<string, TrailEvent[]>;
  identityPools: string[];
}

/** Most events kept per pool in a batch: enough to name every author of a burst. */
const MAX_EVENTS_PER_POOL = 50;
const MAX_ATTEMPTS = 8;

export class PendingCheckQueue {
  /**
   * @param staleAfterMs a batch open longer than this lost its owner (its invocation died): the
   *   next event takes it over, with its pools.
   */
  constructor(
    private readonly store: DocumentStore,
    private readonly staleAfterMs: number,
  ) {}

  /** Adds an event's pools; `owner: true` when this call opened the batch and must check it. */
  async enqueue(
    now: Date,
    event: TrailEvent,
    userPoolIds: readonly string[],
    identityPoolIds: readonly string[],
  ): Promise<{ owner: boolean; batchId: string }> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.read();
      const doc = current?.doc;
      const open =
        doc?.batchId != null && now.getTime() - Date.parse(doc.openedAt) < this.staleAfterMs
          ? doc.batchId
          : undefined;
      const batchId =
        open ?? `realtime-${now.toISOString().replace(/[:.]/g, '-')}-${event.eventId.slice(0, 8)}`;
      const next: PendingChecks = {
        formatVersion: 1,
        kind: 'pending-checks',
        batchId,
        openedAt: open && doc ? doc.openedAt : now.toISOString(),
        // A taken-over stale batch keeps its pools; a closed one has none left.
        pools: { ...(doc?.batchId != null ? doc.pools : {}) },
        identityPools: [...new Set([...(doc?.batchId != null ? doc.identityPools : []), ...identityPoolIds])],
      };
      for (const poolId of userPoolIds) {
        const events = next.pools[poolId] ?? [];
        if (!events.some((e) => e.eventId === event.eventId)) events.push(event);
        next.pools[poolId] = events.slice(-MAX_EVENTS_PER_POOL);
      }
      try {
        await this.store.put(
          PENDING_KEY,
          JSON.stringify(next),
          current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
        );
        return { owner: open === undefined, batchId };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Takes the batch for checking (empties the document); undefined when it was taken already. */
  async take(batchId: string, now: Date): Promise<TakenBatch | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.read();
      if (!current || current.doc.batchId !== batchId) return undefined;
      const closed: PendingChecks = {
        formatVersion: 1,
        kind: 'pending-checks',
        batchId: null,
        openedAt: now.toISOString(),
        pools: {},
        identityPools: [],
      };
      try {
        await this.store.put(PENDING_KEY, JSON.stringify(closed), { ifMatch: current.etag });
        return { batchId, pools: current.doc.pools, identityPools: current.doc.identityPools };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async read(): Promise<{ doc: PendingChecks; etag: string } | undefined> {
    const object = await this.store.get(PENDING_KEY);
    if (!object) return undefined;
    const parsed = pendingSchema.safeParse(safeJson(object.body));
    // Only the detector writes it: an unusable one is replaced (its pools are left to the sweep).
    if (!parsed.success)
      return {
        doc: {
          formatVersion: 1,
          kind: 'pending-checks',
          batchId: null,
          openedAt: '',
          pools: {},
          identityPools: [],
        },
        etag: object.etag,
      };
    return { doc: parsed.data, etag: object.etag };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
