/**
 * Who made a change: CloudTrail write events, reduced at the edge to a few named fields, matched to
 * findings, and written as one line per change or group of changes. Pure: no SDK, no clock.
 *
 * A CloudTrail record can carry secrets in `requestParameters` (an identity provider's
 * `client_secret` in UpdateIdentityProvider). {@link toTrailEvent} keeps only the fields below, so
 * nothing else of a record reaches a stored document, a message or a log line.
 */

import type { Finding } from './types.js';
import type { EventResources, WriteEventTable } from './write-events.js';

/** The only fields cognito-drift keeps of a CloudTrail record. */
export interface TrailEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  /** ISO-8601. */
  eventTime: string;
  /** `userIdentity.arn` (for an assumed role, the session ARN), or the principal type when there is none. */
  principalArn: string;
  /** `userIdentity.userName`, or the role session name. */
  principalName?: string;
  sourceIp?: string;
  userAgent?: string;
  /**
   * `userIdentity.invokedBy`: the AWS service that made the call on the principal's behalf
   * (`cloudformation.amazonaws.com` for a stack's resource operations). Set by AWS, unlike the
   * user agent, which the caller chooses.
   */
  invokedBy?: string;
  resources: EventResources;
}

/**
 * Who made the changes of a finding, or why that is not known. `event` is the most likely author;
 * `others` holds one event of each other principal whose writes could have made the change in the
 * same window (most likely first), so an alert never names one writer when several wrote.
 * `followUp`: not known yet, and the next sweep looks it up (a real-time check has only its events).
 */
export type Attribution =
  | { kind: 'event'; event: TrailEvent; others?: TrailEvent[] }
  | { kind: 'unknown'; reason: string; followUp?: true };

/** One pool's findings to attribute, and the time range their changes were made in. */
export interface AttributionRequest {
  poolId: string;
  findings: readonly Finding[];
  /** The changes were made after this (ISO-8601): the last run that did not see them, roughly. */
  since: string;
}

/**
 * Attributes each pool's findings; returns, per pool id, one attribution per finding (same order).
 * Implementations never throw and never wait past their own deadline: see {@link attributeSafely}.
 */
export type Attributor = (requests: readonly AttributionRequest[]) => Promise<Map<string, Attribution[]>>;

type Json = unknown;

function at(record: Json, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function text(value: unknown, max = 512): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;
}

/**
 * The named fields of a CloudTrail record (a LookupEvents `CloudTrailEvent`, or an EventBridge
 * event's `detail`), or undefined when it is not a successful write event cognito-drift watches.
 * Nothing else of the record is copied.
 */
export function toTrailEvent(record: Json, table: WriteEventTable): TrailEvent | undefined {
  const eventSource = text(at(record, 'eventSource'));
  const eventName = text(at(record, 'eventName'));
  const eventId = text(at(record, 'eventID'));
  const eventTime = text(at(record, 'eventTime'));
  if (!eventSource || !eventName || !eventId || !eventTime) return undefined;
  // A call that failed changed nothing.
  if (text(at(record, 'errorCode'))) return undefined;
  const entry = table.of(eventSource, eventName);
  if (!entry) return undefined;
  const resources: EventResources = {};
  for (const [key, paths] of Object.entries(entry.paths)) {
    for (const path of paths ?? []) {
      const value = text(at(record, path), 256);
      if (!value) continue;
      if (key === 'userPoolArn') {
        const id = /:userpool\/([\w-]+_[0-9a-zA-Z]+)$/.exec(value)?.[1];
        if (id) resources.userPoolId = id;
      } else resources[key as keyof EventResources] = value;
      break;
    }
  }
  const identityType = text(at(record, 'userIdentity.type'), 64);
  const principalArn =
    text(at(record, 'userIdentity.arn')) ??
    text(at(record, 'userIdentity.invokedBy')) ??
    identityType ??
    'unknown principal';
  const principalName =
    text(at(record, 'userIdentity.userName'), 128) ??
    text(at(record, 'userIdentity.sessionContext.sessionIssuer.userName'), 128) ??
    sessionName(principalArn);
  const event: TrailEvent = { eventId, eventName, eventSource, eventTime, principalArn, resources };
  if (principalName) event.principalName = principalName;
  const sourceIp = text(at(record, 'sourceIPAddress'), 128);
  if (sourceIp) event.sourceIp = sourceIp;
  const userAgent = text(at(record, 'userAgent'), 512);
  if (userAgent) event.userAgent = userAgent;
  const invokedBy = text(at(record, 'userIdentity.invokedBy'), 128);
  if (invokedBy) event.invokedBy = invokedBy;
  return event;
}

/** `arn:aws:sts::1:assumed-role/Admin/alice` -> `alice`. */
function sessionName(arn: string): string | undefined {
  const match = /:assumed-role\/[^/]+\/(.+)$/.exec(arn);
  return match?.[1];
}

/**
 * The lifecycle events of a unit of its own kind (an identity pool): its `pool-added` is its kind's
 * Create event, its `pool-removed` its Delete event.
 */
const UNIT_VERB_OF_KIND: Partial<Record<string, string>> = {
  'pool-added': 'Create',
  'pool-removed': 'Delete',
};

const EVENT_NAMES_OF_KIND: Partial<Record<string, readonly string[]>> = {
  'pool-added': ['CreateUserPool'],
  'pool-removed': ['DeleteUserPool'],
  'client-added': ['CreateUserPoolClient'],
  'client-removed': ['DeleteUserPoolClient'],
  'secret-added': ['AddUserPoolClientSecret', 'CreateUserPoolClient'],
  'secret-removed': ['DeleteUserPoolClientSecret'],
};

const MFA_PATH =
  /^(MfaConfiguration|SmsConfiguration|SoftwareTokenMfaConfiguration|EmailMfaConfiguration|WebAuthnConfiguration)/;

/**
 * The write events that could have made a finding, most specific first. Kinds this module does not
 * know (new resource kinds) match the events of the table's surface named in the kind
 * (`identity-provider-changed` -> the IdentityProvider events), else UpdateUserPool.
 */
export function eventNamesFor(finding: Finding, table: WriteEventTable): readonly string[] {
  // A unit of its own kind (an identity pool) is created, changed and deleted by its kind's events.
  const unit = table.ofUnit(finding.poolId);
  const verb = UNIT_VERB_OF_KIND[finding.kind];
  if (unit && verb) return unit.filter((e) => e.eventName.startsWith(verb)).map((e) => e.eventName);
  const byKind = unit ? undefined : EVENT_NAMES_OF_KIND[finding.kind];
  if (byKind) return byKind;
  // A surface's changes (and its resources added or removed) come from that surface's writes.
  if (finding.surface !== undefined) {
    const named = table.events.filter((e) => e.surface === finding.surface).map((e) => e.eventName);
    if (named.length > 0) return named;
  }
  if (unit) return unit.map((e) => e.eventName);
  if (finding.kind === 'field-changed' || finding.kind === 'list-changed') {
    if (finding.clientId !== undefined) return ['UpdateUserPoolClient'];
    if (MFA_PATH.test(finding.path)) return ['SetUserPoolMfaConfig', 'UpdateUserPool'];
    if (finding.path.startsWith('SchemaAttributes')) return ['AddCustomAttributes', 'UpdateUserPool'];
    return ['UpdateUserPool'];
  }
  const kind: string = finding.kind;
  const named = table.events
    .filter((entry) => entry.surface !== undefined && kind.startsWith(kindPrefix(entry.surface)))
    .map((e) => e.eventName);
  return named.length > 0 ? named : ['UpdateUserPool'];
}

/** A kind's prefix for a surface name: `identityProviders` -> `identity-provider`. */
function kindPrefix(surface: string): string {
  return surface.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/s$/, '');
}

/**
 * Whether `event` could have made `finding`: same pool (user or identity), same client, provider or
 * group when both name one, a fitting event.
 */
function fits(finding: Finding, event: TrailEvent, table: WriteEventTable): boolean {
  const { userPoolId, identityPoolId, clientId, providerName, groupName } = event.resources;
  if (userPoolId !== finding.poolId && identityPoolId !== finding.poolId) return false;
  if (finding.clientId !== undefined && clientId !== undefined && clientId !== finding.clientId) return false;
  if (
    finding.surface === 'identityProviders' &&
    providerName !== undefined &&
    providerName !== finding.resourceId
  )
    return false;
  if (finding.surface === 'groups' && groupName !== undefined && groupName !== finding.resourceId)
    return false;
  return eventNamesFor(finding, table).includes(event.eventName);
}

/** The id LookupEvents is asked for first (`ResourceName`): the finding's client, else its pool. */
export function resourceNameFor(finding: Finding): string {
  return finding.clientId ?? finding.poolId;
}

/**
 * For each finding, every principal whose events in `events` could have made it, most likely
 * author first: events of the finding's most specific event name before the others (an MFA change
 * is SetUserPoolMfaConfig before UpdateUserPool), then the earliest after the window's start, as
 * the first write after the baseline is the one that departed from it. One event per principal.
 * `unknown` with `noMatch` as the reason when none fits. Events of other pools, and failed calls,
 * are never matched.
 */
export function matchFindings(
  findings: readonly Finding[],
  events: readonly TrailEvent[],
  noMatch: string,
  table: WriteEventTable,
): Attribution[] {
  return findings.map((finding) => {
    const names = eventNamesFor(finding, table);
    const ranked = events
      .filter((candidate) => fits(finding, candidate, table))
      .sort(
        (a, b) =>
          names.indexOf(a.eventName) - names.indexOf(b.eventName) ||
          Date.parse(a.eventTime) - Date.parse(b.eventTime) ||
          a.eventId.localeCompare(b.eventId),
      );
    const seen = new Set<string>();
    const writers = ranked.filter((event) => !seen.has(event.principalArn) && seen.add(event.principalArn));
    const [event, ...others] = writers;
    if (!event) return { kind: 'unknown', reason: noMatch };
    return others.length > 0 ? { kind: 'event', event, others } : { kind: 'event', event };
  });
}

/**
 * Where the lookup for a drift's changes starts (ISO-8601): `windowMs` before the run (before the
 * first alert, for a reminder, whose changes are older), but never before its baseline was
 * approved: a write the baseline already holds made none of the drift, and naming it would put the
 * wrong principal first.
 */
export function lookupStart(options: {
  at: Date;
  windowMs: number;
  /** A reminder: when the drift was first alerted. */
  alertedSince?: string;
  baselineApprovedAt?: string;
}): string {
  const from =
    (options.alertedSince ? Date.parse(options.alertedSince) : options.at.getTime()) - options.windowMs;
  const approved = options.baselineApprovedAt ? Date.parse(options.baselineApprovedAt) : Number.NaN;
  return new Date(Number.isFinite(approved) ? Math.max(from, approved) : from).toISOString();
}

/** Every finding of every request as `unknown (reason)`: what a failed lookup yields. */
export function allUnknown(
  requests: readonly AttributionRequest[],
  reason: string,
): Map<string, Attribution[]> {
  return new Map(
    requests.map((r) => [r.poolId, r.findings.map(() => ({ kind: 'unknown' as const, reason }))]),
  );
}

/**
 * Calls `attribute`, turning any failure into "author unknown": attribution never fails a run.
 */
export async function attributeSafely(
  attribute: Attributor,
  requests: readonly AttributionRequest[],
  onError: (error: unknown) => void,
): Promise<Map<string, Attribution[]>> {
  if (requests.length === 0) return new Map();
  try {
    return await attribute(requests);
  } catch (error) {
    onError(error);
    return allUnknown(requests, 'the CloudTrail lookup failed');
  }
}

/** Control characters (C0, DEL, C1) as `\xNN`, so a name or user agent cannot forge lines. */
export function escapeControl(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** A user agent in a few words: `console`, `aws-cli/2.15.0`, `Boto3/1.34.2`, `terraform`, or its first 40 characters. */
export function shortenUserAgent(userAgent: string | undefined): string {
  if (!userAgent) return 'unknown client';
  if (
    /console\.amazonaws\.com|signin\.amazonaws\.com|console\.aws\.amazon\.com|^AWS Internal/i.test(userAgent)
  )
    return 'console';
  if (/cloudformation\.amazonaws\.com/i.test(userAgent)) return 'cloudformation';
  const known =
    /(aws-cli\/[\d.]+|Boto3\/[\d.]+|aws-sdk-[a-z]+\/[\d.]+|aws-sdk-js\/[\d.]+|Terraform\/[\d.]+|aws-cdk\/[\d.]+|APN\/[\d.]+ terraform)/i.exec(
      userAgent,
    )?.[1];
  if (known) return known.replace(/^APN\/[\d.]+ /i, '');
  return userAgent.length > 40 ? `${userAgent.slice(0, 37)}...` : userAgent;
}

/** `2026-12-02T10:41:07Z` -> `2026-12-02T10:41Z`. */
function minutes(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)/.exec(iso);
  return match ? `${match[1]}Z` : iso;
}

/** Other writers named in one line; the rest are counted ("and 3 more"). */
export const MAX_OTHER_WRITERS = 3;

function principalOf(e: TrailEvent): string {
  return e.principalName && !e.principalArn.endsWith(`/${e.principalName}`)
    ? `${e.principalArn} [${e.principalName}]`
    : e.principalArn;
}

/**
 * One line for an alert: `by <principal ARN> (<EventName>, <time>, <source IP>, <user agent>)`,
 * then, when others wrote too, `; also written by <principal> (<EventName>, <time>), ... and N more`;
 * or `author unknown (<reason>)`. Control characters in any field are escaped.
 */
export function formatAttribution(attribution: Attribution): string {
  if (attribution.kind === 'unknown') return escapeControl(`author unknown (${attribution.reason})`);
  const e = attribution.event;
  const others = attribution.others ?? [];
  const named = others
    .slice(0, MAX_OTHER_WRITERS)
    .map((o) => `${principalOf(o)} (${o.eventName}, ${minutes(o.eventTime)})`);
  const more = others.length - named.length;
  const also =
    named.length > 0 ? `; also written by ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
  return escapeControl(
    `by ${principalOf(e)} (${e.eventName}, ${minutes(e.eventTime)}, ${e.sourceIp ?? 'unknown IP'}, ${shortenUserAgent(e.userAgent)})${also}`,
  );
}

/**
 * What the JSON report keeps of an attribution: the event id and the named fields (and, when
 * others wrote too, theirs under `otherWriters`), or the reason.
 */
export function reportAttribution(attribution: Attribution): Record<string, unknown> {
  if (attribution.kind === 'unknown') return { author: 'unknown', reason: attribution.reason };
  const fields = (event: TrailEvent) => {
    const { resources: _resources, ...kept } = event;
    return kept;
  };
  const others = attribution.others ?? [];
  return { ...fields(attribution.event), ...(others.length > 0 ? { otherWriters: others.map(fields) } : {}) };
}
