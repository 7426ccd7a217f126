import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DriftEventEntry, driftEvents, eventBatches } from '../core/drift-events.js';
import type { FindingSink, SinkReport } from '../core/finding-sinks.js';
import { FindingSinkError } from '../errors.js';
import { quotaOf } from './quotas.js';
import { type Clock, Pacer, systemClock, TokenBucket } from './rate-limiter.js';

/** Entry error codes worth sending again; the others (a malformed detail) fail the same way twice. */
const RETRIED_ENTRY_ERRORS = new Set(['InternalFailure', 'ThrottlingException']);
/** Attempts for entries that failed with a retried code (the SDK retries whole failed calls itself). */
const MAX_ENTRY_ATTEMPTS = 3;

/**
 * Puts one event per alerted drift (and per resolved pool) on the account's default event bus,
 * in as few PutEvents calls as the entry and size limits allow, paced to the PutEvents quota.
 * PutEvents answers 200 with per-entry errors: entries that failed with a transient code are sent
 * again; any left unaccepted make `publish` reject with a {@link FindingSinkError} naming the codes.
 */
export class EventBridgePublisher implements FindingSink {
  readonly name = 'eventbridge';
  readonly stats = { requests: 0, events: 0 };
  private readonly pacer: Pacer;
  private readonly bucket: TokenBucket;

  constructor(
    private readonly client: EventBridgeClient,
    /** The AWS partition of the account (`aws`, `aws-cn`, `aws-us-gov`), for the pools' ARNs. */
    private readonly partition: string,
    options: { clock?: Clock; quotaShare?: number } = {},
  ) {
    this.pacer = new Pacer(options.clock ?? systemClock);
    this.bucket = new TokenBucket(quotaOf('PutEvents').rps * (options.quotaShare ?? 1));
  }

  async publish(report: SinkReport): Promise<void> {
    for (const batch of eventBatches(driftEvents(report, this.partition))) await this.put(batch);
  }

  private async put(entries: readonly DriftEventEntry[]): Promise<void> {
    let pending = [...entries];
    for (let attempt = 1; ; attempt += 1) {
      await this.pacer.acquire([this.bucket]);
      this.stats.requests += 1;
      const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
      const failed = pending.flatMap((entry, i) => {
        const code = out.Entries?.[i]?.ErrorCode;
        return code ? [{ entry, code }] : [];
      });
      this.stats.events += pending.length - failed.length;
      if (failed.length === 0) return;
      const retried = failed.filter((f) => RETRIED_ENTRY_ERRORS.has(f.code));
      if (retried.length < failed.length || attempt >= MAX_ENTRY_ATTEMPTS) {
        const codes = [...new Set(failed.map((f) => f.code))].sort().join(', ');
        throw new FindingSinkError(
          `EventBridge did not accept ${failed.length} of ${entries.length} events (${codes})`,
        );
      }
      pending = retried.map((f) => f.entry);
    }
  }
}
