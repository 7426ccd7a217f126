import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import {
  type Attribution,
  type AttributionRequest,
  allUnknown,
  lookupNamesFor,
  matchFindings,
  type TrailEvent,
  toTrailEvent,
} from '../core/attribution.js';
import type { SurfaceCatalog } from '../core/catalog.js';
import { type WriteEventTable, writeEventTable } from '../core/write-events.js';
import { CATALOG } from '../surfaces/index.js';
import { QUOTAS } from './quotas.js';
import { type Clock, Pacer, systemClock, TokenBucket } from './rate-limiter.js';

/** LookupEvents: 2 requests per second per account and Region, shared with the whole account (quotas.ts). */
export const LOOKUP_EVENTS_RPS = QUOTAS['CloudTrail.LookupEvents'].rps;
/** LookupEvents returns at most 50 results per page (CloudTrail API reference). */
export const LOOKUP_PAGE_SIZE = 50;
const THROTTLE_PAUSE_MS = 1000;

export interface CloudTrailReaderOptions {
  client: CloudTrailClient;
  /** The share of the LookupEvents quota this reader may use, 0 < share <= 1 (as for Cognito). */
  quotaShare: number;
  /** The clock for the run: the end of the lookup window. */
  now: () => Date;
  /** Most LookupEvents calls per run. @default 15 */
  maxCalls?: number;
  /** Attribution gives up after this long, so it never holds an alert back. @default 15 000 */
  deadlineMs?: number;
  /** Override the quota (the stand-in, an account with another limit). */
  lookupRps?: number;
  clock?: Clock;
  /** The resource kinds whose write events are looked up and matched. @default the whole catalog */
  catalog?: SurfaceCatalog;
}

/** Whether a trail that logs management events covers the region. */
export type TrailStatus =
  | { status: 'active'; trails: string[] }
  | { status: 'inactive' }
  | { status: 'unknown'; reason: string };

/**
 * Reads CloudTrail for cognito-drift: who made the changes of a run (LookupEvents), and whether a
 * trail delivers management events to EventBridge in this region (DescribeTrails, GetTrailStatus).
 *
 * Lookups go by event name, one attribute per call as LookupEvents allows, over the run's window,
 * and are filtered locally by pool and client: one series of pages serves every pool with findings.
 * (Event source would page through the detector's own read events; resource name is filled only
 * where CloudTrail records resources, which it does not promise for Cognito.)
 */
export class CloudTrailReader {
  readonly stats = { requests: 0, throttled: 0 };
  private readonly client: CloudTrailClient;
  private readonly bucket: TokenBucket;
  private readonly pacer: Pacer;
  private readonly clock: Clock;
  private readonly maxCalls: number;
  private readonly deadlineMs: number;
  private readonly now: () => Date;
  private readonly writeEvents: WriteEventTable;

  constructor(options: CloudTrailReaderOptions) {
    this.writeEvents = writeEventTable(options.catalog ?? CATALOG);
    const share = options.quotaShare;
    if (!(share > 0 && share <= 1)) throw new RangeError(`quotaShare must be in (0, 1], got ${share}`);
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
    this.pacer = new Pacer(this.clock);
    this.bucket = new TokenBucket((options.lookupRps ?? LOOKUP_EVENTS_RPS) * share);
    this.maxCalls = options.maxCalls ?? 15;
    this.deadlineMs = options.deadlineMs ?? 15_000;
    this.now = options.now;
    this.client.middlewareStack.addRelativeTo(
      (next: FinalizeHandler<object, MetadataBearer>, context: { commandName?: string }) =>
        (args: FinalizeHandlerArguments<object>) =>
          context.commandName === 'LookupEventsCommand' ? this.paced(next, args) : next(args),
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'cognitoDriftTrailPacing', override: true },
    );
  }

  private async paced(next: FinalizeHandler<object, MetadataBearer>, args: FinalizeHandlerArguments<object>) {
    await this.pacer.acquire([this.bucket]);
    this.stats.requests += 1;
    try {
      return await next(args);
    } catch (error) {
      if (errorName(error) === 'ThrottlingException') {
        this.stats.throttled += 1;
        this.bucket.penalize(this.clock.now(), THROTTLE_PAUSE_MS);
      }
      throw error;
    }
  }

  /** The {@link Attributor}: never throws; what it cannot find is "author unknown (why)". */
  readonly attribute = async (
    requests: readonly AttributionRequest[],
  ): Promise<Map<string, Attribution[]>> => {
    if (requests.length === 0) return new Map();
    const end = this.now();
    const start = new Date(Math.min(...requests.map((r) => Date.parse(r.since))));
    const pools = new Set(requests.map((r) => r.poolId));
    const names = lookupNamesFor(
      requests.flatMap((r) => r.findings),
      this.writeEvents,
    );
    const abort = new AbortController();
    const timer = new AbortController();
    this.clock.sleep(this.deadlineMs, timer.signal).then(
      () => abort.abort(new Error('deadline')),
      () => undefined,
    );
    const events: TrailEvent[] = [];
    let calls = 0;
    let failure: string | undefined;
    try {
      for (const name of names) {
        let token: string | undefined;
        do {
          if (calls >= this.maxCalls) {
            failure = `CloudTrail lookup stopped after ${this.maxCalls} calls, the limit per run`;
            break;
          }
          calls += 1;
          const page = await this.client.send(
            new LookupEventsCommand({
              LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }],
              StartTime: start,
              EndTime: end,
              MaxResults: LOOKUP_PAGE_SIZE,
              NextToken: token,
            }),
            { abortSignal: abort.signal },
          );
          for (const raw of page.Events ?? []) {
            // Parsed here and reduced to the named fields at once: the rest is dropped unread.
            const event = parseRecord(raw.CloudTrailEvent, this.writeEvents);
            if (event?.resources.userPoolId && pools.has(event.resources.userPoolId)) events.push(event);
          }
          token = page.NextToken;
        } while (token);
        if (failure) break;
      }
    } catch (error) {
      failure = abort.signal.aborted
        ? `CloudTrail lookup took longer than ${Math.round(this.deadlineMs / 1000)} s`
        : `CloudTrail lookup failed: ${errorName(error)}`;
    } finally {
      timer.abort();
    }
    if (failure && events.length === 0) return allUnknown(requests, failure);
    const recent = end.getTime() - start.getTime() < 20 * 60_000;
    return new Map(
      requests.map((request) => [
        request.poolId,
        matchFindings(
          request.findings,
          events,
          failure ??
            `no matching CloudTrail event since ${request.since}${recent ? '; CloudTrail delivers events minutes after the call' : ''}`,
          this.writeEvents,
        ),
      ]),
    );
  };

  /** Whether a logging trail covers `region`: DescribeTrails (shadow trails included), then GetTrailStatus. */
  async trailStatus(region: string): Promise<TrailStatus> {
    let trails: { name: string; arn: string; customSelectors: boolean }[];
    try {
      const described = await this.client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      trails = (described.trailList ?? [])
        .filter((t) => t.IsMultiRegionTrail || t.HomeRegion === region)
        .map((t) => ({
          name: t.Name ?? '',
          arn: t.TrailARN ?? t.Name ?? '',
          customSelectors: Boolean(t.HasCustomEventSelectors),
        }));
    } catch (error) {
      return { status: 'unknown', reason: `DescribeTrails failed: ${errorName(error)}` };
    }
    if (trails.length === 0) return { status: 'inactive' };
    const logging: string[] = [];
    const unreadable: string[] = [];
    for (const trail of trails) {
      try {
        const status = await this.client.send(new GetTrailStatusCommand({ Name: trail.arn }));
        if (status.IsLogging) logging.push(trail.name);
      } catch (error) {
        unreadable.push(`${trail.name}: ${errorName(error)}`);
      }
    }
    if (logging.length > 0) return { status: 'active', trails: logging };
    if (unreadable.length > 0)
      return { status: 'unknown', reason: `GetTrailStatus failed (${unreadable.join(', ')})` };
    return { status: 'inactive' };
  }
}

function parseRecord(text: string | undefined, table: WriteEventTable): TrailEvent | undefined {
  if (!text) return undefined;
  try {
    return toTrailEvent(JSON.parse(text), table);
  } catch {
    return undefined;
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}
