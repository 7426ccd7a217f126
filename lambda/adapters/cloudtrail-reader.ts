import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  type LookupAttribute,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';
import {
  type Attribution,
  type AttributionRequest,
  allUnknown,
  eventNamesFor,
  matchFindings,
  resourceNameFor,
  type TrailEvent,
  toTrailEvent,
} from '../core/attribution.js';
import type { SurfaceCatalog } from '../core/catalog.js';
import { type Finding, SEVERITY_ORDER } from '../core/types.js';
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
  /**
   * Most LookupEvents calls spent on one finding (its resource's pages, then, when they hold no
   * fitting event, its event names' pages). A page fetched for one finding serves every other.
   * @default 4
   */
  maxCallsPerFinding?: number;
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
 * Lookups go finding by finding, most severe first, one attribute per call as LookupEvents allows,
 * each with its own budget of calls (a flood of writes elsewhere cannot use up another finding's).
 * With up to {@link CloudTrailReader.resourceFirstLimit} resources in the run: first by resource (`ResourceName` =
 * the finding's client id, then its pool or identity pool id), which pages through that resource's
 * events only; then, when those hold no event that could have made the change, by event name over
 * the window, filtered locally by pool and client. The second step exists because `ResourceName` is
 * an exact match on whatever name CloudTrail recorded, and CloudTrail does not document which names
 * it records for cognito-idp and cognito-identity events: an empty resource lookup is not proof of a
 * quiet resource. With more resources (one call each
 * would outlast the deadline), by event name first and by resource for what that did not find.
 * Every page is kept for the run, so a series fetched for one finding is not fetched again.
 */
export class CloudTrailReader {
  readonly stats = { requests: 0, throttled: 0 };
  /**
   * Up to this many resources (client and pool ids) in a run, changes are looked up by resource
   * first: half the calls the deadline allows at this reader's pace (15 at 2/s, 7 at a share of
   * 0.5), leaving the rest for second pages and fallbacks.
   */
  readonly resourceFirstLimit: number;
  private readonly client: CloudTrailClient;
  private readonly bucket: TokenBucket;
  private readonly pacer: Pacer;
  private readonly clock: Clock;
  private readonly maxCallsPerFinding: number;
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
    this.maxCallsPerFinding = options.maxCallsPerFinding ?? 4;
    this.deadlineMs = options.deadlineMs ?? 15_000;
    this.resourceFirstLimit = Math.floor(((this.deadlineMs / 1000) * this.bucket.ratePerSecond) / 2);
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
    const abort = new AbortController();
    const timer = new AbortController();
    this.clock.sleep(this.deadlineMs, timer.signal).then(
      () => abort.abort(new Error('deadline')),
      () => undefined,
    );
    const events = new Map<string, TrailEvent>();
    const series = new Map<string, { token?: string; done: boolean }>();
    // One page of a series (a resource's or an event name's events): fetched once for the run.
    const nextPage = async (attribute: LookupAttribute): Promise<number> => {
      const key = `${attribute.AttributeKey} ${attribute.AttributeValue}`;
      const state = series.get(key) ?? { done: false };
      series.set(key, state);
      const page = await this.client.send(
        new LookupEventsCommand({
          LookupAttributes: [attribute],
          StartTime: start,
          EndTime: end,
          MaxResults: LOOKUP_PAGE_SIZE,
          NextToken: state.token,
        }),
        { abortSignal: abort.signal },
      );
      for (const raw of page.Events ?? []) {
        // Parsed here and reduced to the named fields at once: the rest is dropped unread.
        const event = parseRecord(raw.CloudTrailEvent, this.writeEvents);
        const { userPoolId, identityPoolId } = event?.resources ?? {};
        if (event && ((userPoolId && pools.has(userPoolId)) || (identityPoolId && pools.has(identityPoolId))))
          events.set(event.eventId, event);
      }
      state.token = page.NextToken;
      state.done = !page.NextToken;
      return page.Events?.length ?? 0;
    };
    const exhausted = (attribute: LookupAttribute) =>
      series.get(`${attribute.AttributeKey} ${attribute.AttributeValue}`)?.done === true;

    const stopped = new Set<Finding>();
    let failure: string | undefined;
    // Only writes after a request's own start could have made its changes.
    const startOf = new Map(
      requests.flatMap((r) => r.findings.map((f) => [f, Date.parse(r.since)] as const)),
    );
    const inWindow = (finding: Finding) =>
      [...events.values()].filter((e) => Date.parse(e.eventTime) >= (startOf.get(finding) ?? 0));
    const findings = requests
      .flatMap((r) => r.findings)
      .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
    // Whether CloudTrail records the resource names looked up, as this run finds out: `absent` once a
    // finding's resource lookups returned nothing and its event names then found its author, after
    // which resource lookups would only cost calls.
    let resourceNames: 'unknown' | 'recorded' | 'absent' = 'unknown';
    // Many resources (a script that changed every pool) would cost a call each: then one series per
    // event name serves them all, and resource lookups are the fallback for what it did not find.
    const resourceFirst =
      new Set(findings.flatMap((f) => [resourceNameFor(f), f.poolId])).size <= this.resourceFirstLimit;
    try {
      for (const finding of findings) {
        let calls = 0;
        let resourceRecords = 0;
        const fitting = () =>
          matchFindings([finding], inWindow(finding), '', this.writeEvents)[0]?.kind === 'event';
        const resourceSteps = [...new Set([resourceNameFor(finding), finding.poolId])].map((id) => ({
          attribute: { AttributeKey: 'ResourceName' as const, AttributeValue: id },
          byResource: true,
        }));
        const nameSteps = eventNamesFor(finding, this.writeEvents).map((name) => ({
          attribute: { AttributeKey: 'EventName' as const, AttributeValue: name },
          byResource: false,
        }));
        const byResource = resourceNames === 'absent' ? [] : resourceSteps;
        const plan: { attribute: LookupAttribute; byResource: boolean }[] = resourceFirst
          ? [...byResource, ...nameSteps]
          : [...nameSteps, ...byResource];
        let unfinished = false;
        for (const [index, step] of plan.entries()) {
          // A resource's own events are read to their end or the budget (every writer in them is
          // named); the other steps are the fallback, taken only while no event that could have
          // made the change is known. (Continuing a shared event-name series for more writers would
          // cost every finding its budget in a flood; the writers on the pages read are all named.)
          if (!(resourceFirst && step.byResource) && fitting()) break;
          // Calls held back for the resource lookups still to come: a flood of one event name
          // cannot use them up.
          const reserved = plan.slice(index + 1).filter((later) => later.byResource).length;
          while (!exhausted(step.attribute) && calls < this.maxCallsPerFinding - reserved) {
            calls += 1;
            const records = await nextPage(step.attribute);
            if (step.byResource) resourceRecords += records;
          }
          if (!exhausted(step.attribute)) unfinished = true;
        }
        if (unfinished && !fitting()) stopped.add(finding);
        if (resourceRecords > 0) resourceNames = 'recorded';
        else if (resourceNames === 'unknown' && plan.some((step) => step.byResource) && fitting())
          resourceNames = 'absent';
      }
    } catch (error) {
      failure = abort.signal.aborted
        ? `CloudTrail lookup took longer than ${Math.round(this.deadlineMs / 1000)} s`
        : `CloudTrail lookup failed: ${errorName(error)}`;
    } finally {
      timer.abort();
    }
    if (failure && events.size === 0) return allUnknown(requests, failure);
    const recent = end.getTime() - start.getTime() < 20 * 60_000;
    return new Map(
      requests.map((request) => {
        return [
          request.poolId,
          request.findings.map(
            (finding) =>
              matchFindings(
                [finding],
                inWindow(finding),
                failure ??
                  (stopped.has(finding)
                    ? `CloudTrail lookup stopped after ${this.maxCallsPerFinding} calls for this change`
                    : `no matching CloudTrail event since ${request.since}${recent ? '; CloudTrail delivers events minutes after the call' : ''}`),
                this.writeEvents,
              )[0] as Attribution,
          ),
        ];
      }),
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
