/**
 * The CloudTrail write events that change what cognito-drift watches. The user pool's and app
 * clients' own events are listed here; every other kind declares its events in its catalog entry
 * (`lambda/surfaces/`). {@link writeEventTable} joins the two into ONE table, read by the
 * EventBridge rules of the construct (which events start a targeted check), by the attribution
 * matcher (which event made a finding) and by the CloudTrail reader (which event names to look up).
 */
import type { EventSource, SurfaceCatalog, WriteEvent } from './catalog.js';

export type { EventResources, WriteEvent } from './catalog.js';

/** The CloudTrail event source of Cognito user pools. */
export const IDP_SOURCE = 'cognito-idp.amazonaws.com' as const;
const IDP = IDP_SOURCE;

/** Where a user-pool event names its pool. */
export const POOL_PATHS = { userPoolId: ['requestParameters.userPoolId'] } as const;
/** Where a user-pool event names its pool and app client. */
export const CLIENT_PATHS = { ...POOL_PATHS, clientId: ['requestParameters.clientId'] } as const;

/** The events of user pools and app clients, which every run watches. */
const CORE_WRITE_EVENTS: readonly WriteEvent[] = [
  {
    eventSource: IDP,
    eventName: 'CreateUserPool',
    surface: 'pool',
    paths: { userPoolId: ['responseElements.userPool.id'] },
  },
  { eventSource: IDP, eventName: 'UpdateUserPool', surface: 'pool', paths: POOL_PATHS },
  { eventSource: IDP, eventName: 'DeleteUserPool', surface: 'pool', paths: POOL_PATHS },
  { eventSource: IDP, eventName: 'AddCustomAttributes', surface: 'pool', paths: POOL_PATHS },
  {
    eventSource: IDP,
    eventName: 'CreateUserPoolClient',
    surface: 'client',
    paths: { ...POOL_PATHS, clientId: ['responseElements.userPoolClient.clientId'] },
  },
  { eventSource: IDP, eventName: 'UpdateUserPoolClient', surface: 'client', paths: CLIENT_PATHS },
  { eventSource: IDP, eventName: 'DeleteUserPoolClient', surface: 'client', paths: CLIENT_PATHS },
  { eventSource: IDP, eventName: 'AddUserPoolClientSecret', surface: 'client-secret', paths: CLIENT_PATHS },
  {
    eventSource: IDP,
    eventName: 'DeleteUserPoolClientSecret',
    surface: 'client-secret',
    paths: CLIENT_PATHS,
  },
];

/** The one table of watched write events, with a lookup by source and name. */
export interface WriteEventTable {
  readonly events: readonly WriteEvent[];
  /** The table entry of an event, or undefined when cognito-drift does not watch it. */
  of(eventSource: string, eventName: string): WriteEvent | undefined;
  /** The events of a kind watched as units of its own (identity pools) when `id` is one; else undefined. */
  ofUnit(id: string): readonly WriteEvent[] | undefined;
}

/**
 * The table of every write event: the pool's and clients' own, then each catalog entry's, stamped
 * with the entry's name. Throws when two kinds claim one event (the table would be ambiguous).
 */
export function writeEventTable(catalog: SurfaceCatalog): WriteEventTable {
  const events: WriteEvent[] = [
    ...CORE_WRITE_EVENTS,
    ...catalog.entries.flatMap((entry) => entry.writeEvents.map((e) => ({ ...e, surface: entry.name }))),
  ];
  const byKey = new Map<string, WriteEvent>();
  for (const entry of events) {
    const key = `${entry.eventSource} ${entry.eventName}`;
    if (byKey.has(key)) throw new Error(`write event ${key} is declared twice in the catalog`);
    byKey.set(key, entry);
  }
  const ofUnit = (id: string) => {
    const unit = catalog.entries.find((entry) => entry.ownsUnit?.(id));
    return unit ? events.filter((e) => e.surface === unit.name) : undefined;
  };
  return { events, of: (source, name) => byKey.get(`${source} ${name}`), ofUnit };
}

/** The EventBridge `source` of a CloudTrail event source (`cognito-idp.amazonaws.com` -> `aws.cognito-idp`). */
export function eventBridgeSource(eventSource: EventSource): string {
  return `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

/** The detail-type EventBridge gives management events recorded by CloudTrail. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The event names of each EventBridge source, for the rules' patterns: the same table, grouped. */
export function eventNamesBySource(table: WriteEventTable): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const entry of table.events) {
    const source = eventBridgeSource(entry.eventSource);
    bySource.set(source, [...(bySource.get(source) ?? []), entry.eventName]);
  }
  return bySource;
}
