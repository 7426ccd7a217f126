/**
 * The CloudTrail write events that change what cognito-drift watches: ONE table, read by the
 * EventBridge rules of the construct (which events start a targeted check), by the attribution
 * matcher (which event made a finding) and by the CloudTrail reader (which event names to look up).
 *
 * Each entry names where, in the CloudTrail record, the event names the resources it touched.
 * Paths are dotted, from the record root (`requestParameters.userPoolId`); the first that holds a
 * string wins. Only these fields are ever read from `requestParameters` and `responseElements`.
 */

/** The part of the configuration an event changes; a finding is matched to events of its surfaces. */
export type Surface =
  | 'pool'
  | 'client'
  | 'client-secret'
  | 'mfa'
  | 'risk'
  | 'identity-provider'
  | 'resource-server'
  | 'group'
  | 'domain'
  | 'log-delivery'
  | 'ui-customization'
  | 'waf'
  | 'identity-pool';

/** The resource ids an event can name, as the matcher and the targeted check use them. */
export interface EventResources {
  userPoolId?: string;
  clientId?: string;
  providerName?: string;
  groupName?: string;
  identityPoolId?: string;
}

export interface WriteEvent {
  /** CloudTrail `eventSource`. */
  eventSource: 'cognito-idp.amazonaws.com' | 'cognito-identity.amazonaws.com' | 'wafv2.amazonaws.com';
  eventName: string;
  surface: Surface;
  /** Where each resource id is, in order of preference. `userPoolArn` paths end in `userpool/<id>`. */
  paths: Partial<Record<keyof EventResources | 'userPoolArn', readonly string[]>>;
}

const IDP = 'cognito-idp.amazonaws.com' as const;
const IDENTITY = 'cognito-identity.amazonaws.com' as const;
const WAF = 'wafv2.amazonaws.com' as const;

const pool = { userPoolId: ['requestParameters.userPoolId'] };
const client = { ...pool, clientId: ['requestParameters.clientId'] };

/** Every write event cognito-drift reacts to and attributes findings to. */
export const WRITE_EVENTS: readonly WriteEvent[] = [
  {
    eventSource: IDP,
    eventName: 'CreateUserPool',
    surface: 'pool',
    paths: { userPoolId: ['responseElements.userPool.id'] },
  },
  { eventSource: IDP, eventName: 'UpdateUserPool', surface: 'pool', paths: pool },
  { eventSource: IDP, eventName: 'DeleteUserPool', surface: 'pool', paths: pool },
  { eventSource: IDP, eventName: 'AddCustomAttributes', surface: 'pool', paths: pool },
  {
    eventSource: IDP,
    eventName: 'CreateUserPoolClient',
    surface: 'client',
    paths: { ...pool, clientId: ['responseElements.userPoolClient.clientId'] },
  },
  { eventSource: IDP, eventName: 'UpdateUserPoolClient', surface: 'client', paths: client },
  { eventSource: IDP, eventName: 'DeleteUserPoolClient', surface: 'client', paths: client },
  { eventSource: IDP, eventName: 'AddUserPoolClientSecret', surface: 'client-secret', paths: client },
  { eventSource: IDP, eventName: 'DeleteUserPoolClientSecret', surface: 'client-secret', paths: client },
  { eventSource: IDP, eventName: 'SetUserPoolMfaConfig', surface: 'mfa', paths: pool },
  {
    eventSource: IDP,
    eventName: 'SetRiskConfiguration',
    surface: 'risk',
    paths: { ...pool, clientId: ['requestParameters.clientId'] },
  },
  ...(['Create', 'Update', 'Delete'] as const).flatMap((verb): WriteEvent[] => [
    {
      eventSource: IDP,
      eventName: `${verb}IdentityProvider`,
      surface: 'identity-provider',
      paths: { ...pool, providerName: ['requestParameters.providerName'] },
    },
    {
      eventSource: IDP,
      eventName: `${verb}Group`,
      surface: 'group',
      paths: { ...pool, groupName: ['requestParameters.groupName'] },
    },
    { eventSource: IDP, eventName: `${verb}ResourceServer`, surface: 'resource-server', paths: pool },
    { eventSource: IDP, eventName: `${verb}UserPoolDomain`, surface: 'domain', paths: pool },
  ]),
  {
    eventSource: IDP,
    eventName: 'SetUICustomization',
    surface: 'ui-customization',
    paths: { ...pool, clientId: ['requestParameters.clientId'] },
  },
  { eventSource: IDP, eventName: 'SetLogDeliveryConfiguration', surface: 'log-delivery', paths: pool },
  {
    eventSource: IDENTITY,
    eventName: 'CreateIdentityPool',
    surface: 'identity-pool',
    paths: { identityPoolId: ['responseElements.identityPoolId', 'responseElements.IdentityPoolId'] },
  },
  {
    eventSource: IDENTITY,
    eventName: 'DeleteIdentityPool',
    surface: 'identity-pool',
    paths: { identityPoolId: ['requestParameters.identityPoolId'] },
  },
  {
    eventSource: IDENTITY,
    eventName: 'UpdateIdentityPool',
    surface: 'identity-pool',
    paths: { identityPoolId: ['requestParameters.identityPoolId'] },
  },
  {
    eventSource: IDENTITY,
    eventName: 'SetIdentityPoolRoles',
    surface: 'identity-pool',
    paths: { identityPoolId: ['requestParameters.identityPoolId'] },
  },
  {
    eventSource: WAF,
    eventName: 'AssociateWebACL',
    surface: 'waf',
    paths: { userPoolArn: ['requestParameters.resourceArn'] },
  },
  {
    eventSource: WAF,
    eventName: 'DisassociateWebACL',
    surface: 'waf',
    paths: { userPoolArn: ['requestParameters.resourceArn'] },
  },
];

const BY_KEY = new Map(WRITE_EVENTS.map((entry) => [`${entry.eventSource} ${entry.eventName}`, entry]));

/** The table entry of an event, or undefined when cognito-drift does not watch it. */
export function writeEventOf(eventSource: string, eventName: string): WriteEvent | undefined {
  return BY_KEY.get(`${eventSource} ${eventName}`);
}

/** The EventBridge `source` of a CloudTrail event source (`cognito-idp.amazonaws.com` -> `aws.cognito-idp`). */
export function eventBridgeSource(eventSource: WriteEvent['eventSource']): string {
  return `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

/** The detail-type EventBridge gives management events recorded by CloudTrail. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * The event names of each EventBridge source, for the rules' patterns: the same table, grouped.
 * WAF associations are listed apart because their rule also restricts `resourceArn` to user pools.
 */
export function eventNamesBySource(): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const entry of WRITE_EVENTS) {
    const source = eventBridgeSource(entry.eventSource);
    bySource.set(source, [...(bySource.get(source) ?? []), entry.eventName]);
  }
  return bySource;
}

/** The event names of a surface, for the CloudTrail reader's lookups. */
export function eventNamesOf(surfaces: Iterable<Surface>): string[] {
  const wanted = new Set(surfaces);
  return WRITE_EVENTS.filter((entry) => wanted.has(entry.surface)).map((entry) => entry.eventName);
}
