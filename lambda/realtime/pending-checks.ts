import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TrailEvent } from '../core/attribution.js';
import type { DocumentStore } from '../core/ports.js';
import { ConflictError } from '../errors.js';

/**
 * The debounce of the real-time path: a burst of events becomes one targeted check.
 *
 * Two kinds of objects. The batch marker, `realtime/pending.json`, says which batch is open and since
 * when; it is written only to open a batch and to close (take) it. Each event is its own object,
 * `realtime-events/<batchId>/<event digest>.json`, created once with a conditional create: events
 * never write the same object, so a burst does not contend on one document (issue 17: 50 events
 * retrying on one queue document lost 20 checks).
 *
 * The invocation that opens a batch owns it: it waits the debounce window, then takes the batch (closes
 * the marker in one conditional write) and reads the batch's event objects. An event that joins an open
 * batch writes its object and then re-reads the marker: if the batch is still open, the owner's take
 * (later) lists the object; if it was closed meanwhile, the event goes to the next batch (at worst a
 * pool is checked twice, never not at all).
 *
 * Bound: only opening a batch can conflict, and a conflict means another invocation just opened one,
 * which the next attempt joins. An enqueue therefore needs two attempts, plus one for every batch
 * closed while it runs (one per debounce window); {@link MAX_ATTEMPTS} leaves room for several.
 *
 * Why objects and a wait in the owner rather than, say, an SQS batching window or a Step Functions
 * Wait state: it behaves the same whether the rule targets the state machine or the function, it needs
 * no other resource, and it is tested with the in-memory store and a manual clock. The cost is the
 * owner's idle time (the window, 60 s by default, per burst).
 */
export const PENDING_KEY = 'realtime/pending.json';
/**
 * Where each batch's event objects are: `<prefix><batchId>/<digest>.json`. A top-level prefix of its
 * own, so that the bucket's lifecycle rule expires them (the port has no delete, and a taken batch's
 * objects are never read again).
 */
export const PENDING_EVENTS_PREFIX = 'realtime-events/';

const trailEventSchema = z.strictObject({
  eventId: z.string(),
  eventName: z.string(),
  eventSource: z.string(),
  eventTime: z.string(),
  principalArn: z.string(),
  principalName: z.string().optional(),
  sourceIp: z.string().optional(),
  userAgent: z.string().optional(),
  /**
   * The AWS service that made the call (CloudFormation for a stack's deployment). Absent in events of
   * earlier releases; an earlier release skips an event that has it, and leaves it to the sweep.
   */
  invokedBy: z.string().optional(),
  resources: z.strictObject({
    userPoolId: z.string().optional(),
    clientId: z.string().optional(),
    providerName: z.string().optional(),
    groupName: z.string().optional(),
    identityPoolId: z.string().optional(),
  }),
});

/** The single-document queue of earlier releases: its pools are carried into the next batch. */
const legacySchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.literal('pending-checks'),
  batchId: z.string().nullable(),
  openedAt: z.string(),
  pools: z.record(z.string(), z.array(trailEventSchema)),
  identityPools: z.array(z.string()),
});

const markerSchema = z.strictObject({
  formatVersion: z.literal(2),
  kind: z.literal('pending-checks'),
  /** The open batch, or null when none is (the last one was taken). */
  batchId: z.string().nullable(),
  openedAt: z.string(),
  /** Batches whose owner died before taking them: the new owner checks their events too. */
  inherited: z.array(z.string()),
  /** Pools of a single-document queue (format 1) left open by an earlier release. */
  carriedPools: z.record(z.string(), z.array(trailEventSchema)),
});
export type PendingMarker = z.infer<typeof markerSchema>;

const eventObjectSchema = z.strictObject({
  formatVersion: z.literal(1),
  kind: z.literal('pending-event'),
  event: trailEventSchema,
  poolIds: z.array(z.string()),
  identityPoolIds: z.array(z.string()),
});

/** The pools and events of a batch that was taken for checking. */
export interface TakenBatch {
  batchId: string;
  pools: Record<string, TrailEvent[]>;
  identityPools: string[];
}

/** Most events kept per pool in a batch: enough to name every author of a burst. */
const MAX_EVENTS_PER_POOL = 50;
/** See the bound above: two attempts suffice unless batches keep closing during one enqueue. */
export const MAX_ATTEMPTS = 8;

const CLOSED: PendingMarker = {
  formatVersion: 2,
  kind: 'pending-checks',
  batchId: null,
  openedAt: '',
  inherited: [],
  carriedPools: {},
};

export class PendingCheckQueue {
  /**
   * @param staleAfterMs a batch open longer than this lost its owner (its invocation died): the
   *   next event opens a new batch that inherits it.
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
    const body = JSON.stringify({
      formatVersion: 1,
      kind: 'pending-event',
      event,
      poolIds: [...userPoolIds],
      identityPoolIds: [...identityPoolIds],
    });
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.readMarker();
      const marker = current?.marker ?? CLOSED;
      let batchId = this.openBatch(marker, now);
      const owner = batchId === undefined;
      if (batchId === undefined) {
        const opened = newBatchId(now, event.eventId);
        const stale = marker.batchId !== null ? [...marker.inherited, marker.batchId] : [];
        const next: PendingMarker = {
          formatVersion: 2,
          kind: 'pending-checks',
          batchId: opened,
          openedAt: now.toISOString(),
          inherited: stale,
          carriedPools: marker.carriedPools,
        };
        try {
          await this.store.put(
            PENDING_KEY,
            JSON.stringify(next),
            current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
          );
        } catch (error) {
          // Another event opened a batch first: the next attempt joins it.
          if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
          continue;
        }
        batchId = opened;
      }
      await this.writeEvent(batchId, event, body);
      if (owner) return { owner, batchId };
      // Joined: still open means the owner's take comes later and lists this event.
      const after = await this.readMarker();
      if (after?.marker.batchId === batchId) return { owner: false, batchId };
      if (attempt >= MAX_ATTEMPTS) throw new ConflictError(PENDING_KEY);
    }
  }

  /** Takes the batch for checking (closes the marker); undefined when another invocation has it. */
  async take(batchId: string, now: Date): Promise<TakenBatch | undefined> {
    const current = await this.readMarker();
    if (!current || current.marker.batchId !== batchId) return undefined;
    try {
      await this.store.put(PENDING_KEY, JSON.stringify({ ...CLOSED, openedAt: now.toISOString() }), {
        ifMatch: current.etag,
      });
    } catch (error) {
      // Only an event taking over a stale batch writes an open marker: it inherited this one.
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
    const pools: Record<string, TrailEvent[]> = {};
    const identityPools = new Set<string>();
    const add = (poolId: string, event: TrailEvent) => {
      const events = pools[poolId] ?? [];
      if (!events.some((e) => e.eventId === event.eventId)) events.push(event);
      pools[poolId] = events;
    };
    for (const [poolId, events] of Object.entries(current.marker.carriedPools))
      for (const event of events) add(poolId, event);
    for (const batch of [...current.marker.inherited, batchId]) {
      for (const { key } of await this.store.list(`${PENDING_EVENTS_PREFIX}${batch}/`)) {
        const object = await this.store.get(key);
        const parsed = eventObjectSchema.safeParse(safeJson(object?.body ?? ''));
        // Only the detector writes these: an unusable one is left to the sweep.
        if (!parsed.success) continue;
        for (const poolId of parsed.data.poolIds) add(poolId, parsed.data.event);
        for (const id of parsed.data.identityPoolIds) identityPools.add(id);
      }
    }
    for (const poolId of Object.keys(pools)) {
      const events = (pools[poolId] ?? []).sort((a, b) => a.eventTime.localeCompare(b.eventTime));
      pools[poolId] = events.slice(-MAX_EVENTS_PER_POOL);
    }
    return { batchId, pools, identityPools: [...identityPools].sort() };
  }

  /** The open, fresh batch of `marker`, or undefined when a new one must be opened. */
  private openBatch(marker: PendingMarker, now: Date): string | undefined {
    if (marker.batchId === null) return undefined;
    return now.getTime() - Date.parse(marker.openedAt) < this.staleAfterMs ? marker.batchId : undefined;
  }

  /** Creates the event's object once; a redelivered event finds it there. */
  private async writeEvent(batchId: string, event: TrailEvent, body: string): Promise<void> {
    const name = createHash('sha256').update(event.eventId).digest('hex').slice(0, 32);
    try {
      await this.store.put(`${PENDING_EVENTS_PREFIX}${batchId}/${name}.json`, body, { ifNoneMatch: '*' });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  private async readMarker(): Promise<{ marker: PendingMarker; etag: string } | undefined> {
    const object = await this.store.get(PENDING_KEY);
    if (!object) return undefined;
    const json = safeJson(object.body);
    const marker = markerSchema.safeParse(json);
    if (marker.success) return { marker: marker.data, etag: object.etag };
    // A format-1 queue's open batch has no owner running this code: its pools go to the next batch.
    const legacy = legacySchema.safeParse(json);
    if (legacy.success)
      return {
        marker: { ...CLOSED, carriedPools: legacy.data.batchId !== null ? legacy.data.pools : {} },
        etag: object.etag,
      };
    // Only the detector writes it: an unusable one is replaced (its pools are left to the sweep).
    return { marker: CLOSED, etag: object.etag };
  }
}

/** A batch id safe in an object key, whatever the event id holds. */
function newBatchId(now: Date, eventId: string): string {
  return `realtime-${now.toISOString().replace(/[:.]/g, '-')}-${eventId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
