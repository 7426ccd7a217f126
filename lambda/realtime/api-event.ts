import { type TrailEvent, toTrailEvent } from '../core/attribution.js';
import { CLOUDTRAIL_DETAIL_TYPE, writeEventTable } from '../core/write-events.js';
import { CATALOG } from '../surfaces/index.js';

/** The watched write events: the one table, from the catalog. */
const WRITE_EVENTS = writeEventTable(CATALOG);

/**
 * The fields of a CloudTrail record's `detail` that a real-time check reads (`toTrailEvent`): the
 * event, its author, and where each watched event names its resources. The construct's EventBridge
 * rules forward only these (an input transformer), so `requestParameters` (SAML metadata, an IdP's
 * client secret) never reach the state machine's input, its execution history or its logs.
 */
export function realtimeEventPaths(): string[] {
  const resourcePaths = WRITE_EVENTS.events.flatMap((event) =>
    Object.values(event.paths).flatMap((p) => p ?? []),
  );
  return [
    ...new Set([
      'eventSource',
      'eventName',
      'eventID',
      'eventTime',
      'userIdentity.type',
      'userIdentity.arn',
      'userIdentity.invokedBy',
      'userIdentity.userName',
      'userIdentity.sessionContext.sessionIssuer.userName',
      'sourceIPAddress',
      'userAgent',
      ...resourcePaths,
    ]),
  ];
}

/**
 * An EventBridge event as the rule delivers it (only the fields read here). The construct's rules
 * deliver it reduced to {@link realtimeEventPaths}; a field the event lacks arrives as `""` or `null`,
 * which reads as absent.
 */
export interface CloudTrailApiEvent {
  'detail-type': typeof CLOUDTRAIL_DETAIL_TYPE;
  source: string;
  /**
   * The account and region the call was made in: given by the rules of the member event bus, where
   * they name the target to check (`lambda/org/member-events.ts`); the deployment's own rules leave
   * them out (their target is the deployment's own account and region).
   */
  account?: unknown;
  region?: unknown;
  detail: unknown;
}

/** Whether the handler's input is a CloudTrail API call delivered by EventBridge (not a sweep request). */
export function isCloudTrailApiEvent(input: unknown): input is CloudTrailApiEvent {
  return (
    typeof input === 'object' &&
    input !== null &&
    (input as Record<string, unknown>)['detail-type'] === CLOUDTRAIL_DETAIL_TYPE &&
    typeof (input as Record<string, unknown>).detail === 'object'
  );
}

/** What a real-time check needs from one event: the author (named fields only) and the pools it names. */
export interface ParsedApiEvent {
  event: TrailEvent;
  userPoolIds: string[];
  identityPoolIds: string[];
}

/** The watched write event in an EventBridge event, reduced to its named fields; undefined otherwise. */
export function parseApiEvent(input: CloudTrailApiEvent): ParsedApiEvent | undefined {
  const event = toTrailEvent(input.detail, WRITE_EVENTS);
  if (!event) return undefined;
  return {
    event,
    userPoolIds: event.resources.userPoolId ? [event.resources.userPoolId] : [],
    identityPoolIds: event.resources.identityPoolId ? [event.resources.identityPoolId] : [],
  };
}
