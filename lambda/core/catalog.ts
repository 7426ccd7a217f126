/**
 * The shape of the surface catalog: what each resource kind declares about itself, so that the
 * core, the reader, the construct's IAM statements and EventBridge rules, the quota table and the
 * test fakes all read one declaration. The catalog itself is built in `lambda/surfaces/index.ts`
 * and handed to the core as an argument: nothing here imports a surface.
 */
import type { Change, JsonObject, PoolSnapshot, Severity, SurfaceSnapshot } from './types.js';

/** What a rule may look at besides the change itself: the pool before and after. */
export interface RuleContext {
  baseline: PoolSnapshot | null;
  current: PoolSnapshot | null;
}

/** A severity rule: a small named pure function; `undefined` means "not mine". */
export interface SeverityRule {
  name: string;
  description: string;
  evaluate(change: Change, ctx: RuleContext): Severity | undefined;
}

/** The resource ids a CloudTrail write event can name, as the matcher and the targeted check use them. */
export interface EventResources {
  userPoolId?: string;
  clientId?: string;
  providerName?: string;
  groupName?: string;
  identityPoolId?: string;
}

/** The CloudTrail `eventSource` of each catalog service. */
export type EventSource = `${CatalogService}.amazonaws.com`;

/**
 * A CloudTrail write event that changes something cognito-drift watches. Paths are dotted, from the
 * record root (`requestParameters.userPoolId`); the first that holds a string wins. Only these
 * fields are ever read from `requestParameters` and `responseElements`.
 */
export interface WriteEvent {
  eventSource: EventSource;
  eventName: string;
  /**
   * The part of the configuration it changes: `pool`, `client`, `client-secret` for the core's own
   * events, else the catalog entry's name (set by `writeEventTable`).
   */
  surface?: string;
  /** Where each resource id is, in order of preference. `userPoolArn` paths end in `userpool/<id>`. */
  paths: Partial<Record<keyof EventResources | 'userPoolArn', readonly string[]>>;
}

/** The AWS services a catalog operation can belong to (the IAM prefix and the endpoint name). */
export type CatalogService = 'cognito-idp' | 'cognito-identity' | 'wafv2' | 'lambda' | 'iam' | 'kms';

/**
 * The resource an IAM action is granted on: a user pool (`userpool/*`), an identity pool
 * (`identitypool/*`), a regional web ACL, a Lambda function (`function:*`), an IAM role
 * (`role/*`), a managed IAM policy (`policy/*`, AWS managed ones included), a KMS key (`key/*`), or
 * `none` for an action without resource-level permissions (granted on `*`).
 */
export type IamResource =
  | 'userpool'
  | 'identitypool'
  | 'webacl'
  | 'function'
  | 'role'
  | 'policy'
  | 'key'
  | 'none';

/** Every IamResource, in the order statements list them. */
export const IAM_RESOURCES: readonly IamResource[] = [
  'userpool',
  'identitypool',
  'webacl',
  'function',
  'role',
  'policy',
  'key',
  'none',
];

/**
 * How a list operation pages, so a fake can serve it from stored items without knowing the
 * operation: the response field holding the items, the request field with the page size and its
 * documented maximum. The token is `NextToken` unless `marker` says otherwise.
 */
export interface OperationPaging {
  /** The response field with the page's items (`Groups`, `Terms`). */
  readonly items: string;
  /** The request field with the page size (`Limit`, `MaxResults`). */
  readonly pageSize: string;
  /** The largest page the API accepts (the reader asks for this). */
  readonly maxPageSize: number;
  /**
   * IAM's style: the token is `Marker` in the request and the response, and `IsTruncated` says
   * whether there is more. Absent: `NextToken` both ways.
   */
  readonly marker?: boolean;
}

/**
 * How many times one scan sends an operation to a pool its kind is read for (see
 * {@link CatalogEntry.readOnlyWhen}), so the bench and the sizing guide count a kind's calls from its
 * declaration: `pool` once per user pool (once per page of its items when it pages), `client` once
 * per app client, `pool-and-client` once for the pool and once per app client, `domain` once per
 * domain the pool names (prefix and custom), `listed` once per item the list operation `of` returned
 * for the pool, `account` once per target and run, `reference` once per distinct resource the
 * pools point to (a trigger, a role, a key) and run, however many pools share it.
 */
export interface CallCount {
  readonly per: 'pool' | 'client' | 'pool-and-client' | 'domain' | 'listed' | 'account' | 'reference';
  /** For `listed`: the list operation whose items it reads. */
  readonly of?: string;
}

/**
 * A state of a user pool, as DescribeUserPool shows it, that a kind's configuration needs to have any
 * effect (a domain for the hosted UI's pages, threat protection on for its risk configuration). A
 * kind that declares one is not read for a pool where it does not hold: that read could not change a
 * finding. DescribeUserPool's own fields report the condition changing.
 */
export interface PoolCondition {
  /** For people and docs/surfaces.md: `the pool has a domain`. */
  readonly description: string;
  /** The DescribeUserPool fields it looks at, whose change is the finding when it flips. */
  readonly fields: readonly string[];
  /**
   * Whether it holds for the pool: DescribeUserPool's UserPool, raw or as normalized into a
   * snapshot's `config` (only top-level fields normalization keeps are looked at).
   */
  holds(pool: Readonly<Record<string, unknown>>): boolean;
}

/**
 * One raw answer a test or bench world stores for a catalog operation (wire JSON, dates as epoch
 * seconds): one item of a list operation, or the whole answer of any other, under its request keys.
 */
export interface ExampleItem {
  readonly operation: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly value: Record<string, unknown>;
}

/**
 * One read operation: its SDK command, its service (IAM prefix, client), its quota category (a key
 * of `QUOTAS` in `lambda/adapters/quotas.ts`) and how a fake serves it. `I` and `O` are the SDK's
 * input and output shapes; the command's class carries them, so a surface's `send` is typed.
 */
export interface ReadOperation<I extends object = object, O extends object = object> {
  /** The API name (`ListWidgets`): the IAM action's name and the quota table's key. */
  readonly name: string;
  readonly service: CatalogService;
  /** The SDK command class (`ListWidgetsCommand`). */
  readonly command: new (
    input: I,
  ) => unknown;
  /** The quota category (see `lambda/adapters/quotas.ts`). */
  readonly quota: string;
  /** Set when the quota category is not documented for this operation, with the reasoning. */
  readonly quotaAssumed?: string;
  /**
   * The request fields that name what is read (`UserPoolId`, `ClientId`): the key under which a
   * fake stores this operation's answers, and the pool the reader paces it with.
   */
  readonly keys: readonly string[];
  /** Set for a list operation: how it pages. */
  readonly paging?: OperationPaging;
  /** What its IAM action is granted on. */
  readonly iamResource: IamResource;
  /** Actions the call needs besides its own (WAF checks the web ACL it finds), with their resources. */
  readonly alsoRequires?: readonly { action: string; resource: IamResource }[];
  /** How often a scan sends it (declared by the kinds the test fakes serve from the catalog). */
  readonly calls?: CallCount;
  /** Phantom: the output type, carried for `send`. */
  readonly output?: O;
}

/** An operation of any shape, for tables. */
// biome-ignore lint/suspicious/noExplicitAny: a table holds operations of every input and output shape.
export type AnyReadOperation = ReadOperation<any, any>;

/** The IAM action of an operation: `cognito-idp:ListWidgets`. */
export function iamActionOf(operation: Pick<ReadOperation, 'service' | 'name'>): string {
  return `${operation.service}:${operation.name}`;
}

/**
 * The IAM actions of every catalog read, by the resource they are granted on, each once and sorted:
 * the detector's, the member role's and any other role's statements are built from this.
 */
export function readActionsByResource(catalog: SurfaceCatalog): Record<IamResource, string[]> {
  const out = Object.fromEntries(IAM_RESOURCES.map((r) => [r, new Set<string>()])) as Record<
    IamResource,
    Set<string>
  >;
  for (const op of catalogOperations(catalog)) {
    out[op.iamResource].add(iamActionOf(op));
    for (const extra of op.alsoRequires ?? []) out[extra.resource].add(extra.action);
  }
  return Object.fromEntries(IAM_RESOURCES.map((r) => [r, [...out[r]].sort()])) as Record<
    IamResource,
    string[]
  >;
}

/** Sends one read operation, paced to its quota category. Rejects with the SDK's error. */
export type SendOperation = <I extends object, O extends object>(
  operation: ReadOperation<I, O>,
  input: I,
) => Promise<O>;

/** What a pool surface's read gets: the pool as DescribeUserPool returned it, its clients, a sender. */
export interface SurfaceReadContext<Pool = unknown> {
  poolId: string;
  /** DescribeUserPool's UserPool, raw (Domain, CustomDomain, Arn, UserPoolAddOns are read from it). */
  pool: Pool;
  /** The pool's app clients (id and name) as read in this run. */
  clients: readonly { clientId: string; clientName: string }[];
  send: SendOperation;
  /**
   * This run's answer to an account-level read: read on first use, then the same promise for every
   * pool (a failure too). Absent for a targeted check of a few pools, where one call per pool costs
   * less than listing the account.
   */
  accountRead?: <T>(read: AccountRead<T>) => Promise<T>;
  /**
   * This run's answer to a read of something pools share (a Lambda trigger, an IAM role, a KMS
   * key): made on first use, then the same promise for every pool that asks, by the read's `name`
   * (a read about one pool, `poolId`, only while that pool is read).
   * The reader always gives it (a targeted check too); absent only where a test builds the context.
   */
  sharedRead?: <T>(read: AccountRead<T>) => Promise<T>;
}

/**
 * What a surface of an identity pool (a unit of its own) gets: the identity pool's normalized
 * config (its `Roles` and `RoleMappings`), a sender and the run's shared reads.
 */
export interface UnitReadContext {
  poolId: string;
  config: JsonObject;
  send: SendOperation;
  sharedRead: <T>(read: AccountRead<T>) => Promise<T>;
}

/**
 * A read about the whole account and region whose answer serves every pool (which web ACL guards
 * which pool): made once per run and target, on first use, and shared by each pool's read.
 */
export interface AccountRead<T> {
  /** For logs and errors: what is read (`web ACL associations`). */
  readonly name: string;
  /**
   * The pool it is about, when only that pool's own surfaces share it (its groups, which the groups
   * and the IAM roles surfaces both need): its answer is kept while that pool is read and dropped
   * with the pool, so a run holds no pool's responses after the pool. Absent: kept for the run.
   */
  readonly poolId?: string;
  /** Reads it. Rejects when a read failed: every pool that needs it is then unreadable for its surface. */
  read(send: SendOperation): Promise<T>;
}

/**
 * One resource kind, declared in one file of `lambda/surfaces/`: its names, its reads, the writes
 * that change it, its severity rules and its normalizer (`read`).
 */
export interface CatalogEntry {
  /** The key in snapshots and in `-c surfaces=`: camelCase, stable (stored documents use it). */
  readonly name: string;
  /** For people, singular: `identity provider`. */
  readonly label: string;
  /** For people, plural: `identity providers`. */
  readonly plural: string;
  /** Every read operation of this kind (IAM, quotas, the reader's command table, the fakes). */
  readonly operations: readonly AnyReadOperation[];
  /** The CloudTrail write events that change it (attribution, the EventBridge rule). */
  readonly writeEvents: readonly WriteEvent[];
  /** Severity rules for its changes. */
  readonly rules: readonly SeverityRule[];
  /**
   * For a kind watched as units of its own (identity pools), how its ids look: findings of such a
   * unit are headed with `label` and attributed to `writeEvents`. Absent for a pool surface.
   */
  readonly ownsUnit?: (id: string) => boolean;
  /**
   * What a realistic account holds of this kind for one pool, as raw answers of its operations,
   * the same for the same arguments: the test account model seeds every pool it creates with the
   * pool's own items (no clients yet), the bench world with its clients' too, and the bench counts
   * the calls they cause.
   */
  readonly examples?: (pool: { poolId: string; clientIds: readonly string[] }) => readonly ExampleItem[];
  /**
   * Reads and normalizes a user pool's resources of this kind (absent for a kind read as units).
   * Rejects when a read failed: the detector keeps the baseline and reports it as unreadable.
   */
  read?(ctx: SurfaceReadContext): Promise<SurfaceSnapshot>;
  /**
   * Reads and normalizes what an identity pool points to, for a kind that follows identity pools'
   * references too (IAM roles). Absent: the kind is not read for identity pools.
   */
  readUnit?(ctx: UnitReadContext): Promise<SurfaceSnapshot>;
  /**
   * Read only for a pool where this holds; elsewhere the kind has no effect, is not read, and is
   * recorded as holding nothing (`{}`). A comparison whose current pool is such a pool compares
   * nothing of the kind: losing the condition is reported by the pool's own fields, never as the
   * kind's resources removed; gaining it reports what is then in effect.
   */
  readonly readOnlyWhen?: PoolCondition;
}

/** Whether a kind is read for (has any effect in) a pool: see {@link CatalogEntry.readOnlyWhen}. */
export function kindApplies(
  entry: Pick<CatalogEntry, 'readOnlyWhen'>,
  pool: Readonly<Record<string, unknown>>,
): boolean {
  return entry.readOnlyWhen === undefined || entry.readOnlyWhen.holds(pool);
}

/**
 * A state of an app client, as DescribeUserPoolClient shows it, that a per-client read needs to find
 * anything (a client secret, for the client's secrets to be listed). The per-client counterpart of
 * {@link PoolCondition}.
 */
export interface ClientCondition {
  /** For people and docs/surfaces.md: `the client has a secret`. */
  readonly description: string;
  /** The DescribeUserPoolClient fields it looks at. */
  readonly fields: readonly string[];
  /** Whether it holds for the client: DescribeUserPoolClient's UserPoolClient, raw. */
  holds(client: Readonly<Record<string, unknown>>): boolean;
}

/**
 * One read the core makes for every app client it lists (the app clients are no catalog kind: the
 * core reads them itself). The reader, the bench's count of the calls a scan needs and
 * docs/surfaces.md all follow this declaration.
 */
export interface ClientRead {
  /** The API name (`ListUserPoolClientSecrets`). */
  readonly operation: string;
  /**
   * Made only for a client where this holds. Elsewhere the read is not made and records what it
   * would have found there: nothing. Such a condition must be fixed for a client's life (set when
   * the client is created), so a client read and one not read are never the same client in two
   * states: the comparison then needs no rule of its own, unlike a kind's `readOnlyWhen`.
   */
  readonly readOnlyWhen?: ClientCondition;
}

/** Whether a per-client read is made for a client: see {@link ClientRead.readOnlyWhen}. */
export function clientReadApplies(read: ClientRead, client: Readonly<Record<string, unknown>>): boolean {
  return read.readOnlyWhen === undefined || read.readOnlyWhen.holds(client);
}

/** Every resource kind beyond user pools and app clients, in the order alerts list them. */
export interface SurfaceCatalog {
  readonly entries: readonly CatalogEntry[];
}

/** The entry named `name`, if there is one. */
export function entryNamed(catalog: SurfaceCatalog, name: string): CatalogEntry | undefined {
  return catalog.entries.find((e) => e.name === name);
}

/** The kind that owns a unit id (an identity pool's `<region>:<uuid>`), or undefined for a user pool. */
export function unitKindOf(catalog: SurfaceCatalog, id: string): CatalogEntry | undefined {
  return catalog.entries.find((e) => e.ownsUnit?.(id));
}

/** Every operation of the catalog, each once. */
export function catalogOperations(catalog: SurfaceCatalog): AnyReadOperation[] {
  const byName = new Map<string, AnyReadOperation>();
  for (const entry of catalog.entries) for (const op of entry.operations) byName.set(op.name, op);
  return [...byName.values()];
}

/** Every surface name that can be turned on or off, in the catalog's order. */
export function surfaceNames(catalog: SurfaceCatalog): string[] {
  return catalog.entries.map((e) => e.name);
}
