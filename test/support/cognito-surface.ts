/**
 * The Cognito surface beyond user pools and app clients, as ONE in-memory model shared by the two
 * fakes: the HTTP stand-in (`cognito-standin.ts`, wire tests and the benchmark) and the in-memory
 * account (`fake-aws.ts`, unit and scenario tests). Both own one {@link SurfaceModel}, delegate their
 * seed and mutator methods to it and answer the operations below with {@link SurfaceModel.answer},
 * so the two cannot drift apart.
 *
 * Covered: cognito-idp GetUserPoolMfaConfig, DescribeRiskConfiguration, ListIdentityProviders,
 * DescribeIdentityProvider, ListResourceServers, ListGroups, DescribeUserPoolDomain,
 * GetLogDeliveryConfiguration, GetUICustomization; cognito-identity ListIdentityPools,
 * DescribeIdentityPool, GetIdentityPoolRoles; wafv2 GetWebACLForResource, ListWebACLs (REGIONAL, paged
 * by `Limit` 1-100 and `NextMarker`), ListResourcesForWebACL.
 *
 * Answers are wire JSON (dates as epoch seconds), as the services send them; {@link withSdkDates}
 * turns them into what the SDK's deserializer hands to callers.
 *
 * Behaviour where the API reference is silent, chosen to match what AWS is known to answer:
 * - DescribeIdentityProvider returns `ProviderDetails.client_secret` in plain text (OIDC and social).
 * - DescribeRiskConfiguration / GetUICustomization with a ClientId that has no configuration of its
 *   own return the pool's (risk: without ClientId; UI: with ClientId `ALL`).
 * - DescribeUserPoolDomain for a domain nobody owns answers `{ DomainDescription: {} }`.
 * - GetLogDeliveryConfiguration without a configuration answers an empty `LogConfigurations`.
 * - GetWebACLForResource on a pool without a web ACL answers `{}`; on an unknown pool,
 *   WAFNonexistentItemException.
 * - Web ACL names are unique per account, Region and scope: two pools given the same ACL name (and
 *   no id) share one web ACL. ListWebACLs lists the ACLs some pool is associated with.
 * - ListResourcesForWebACL without `ResourceType` lists load balancers (none here): `[]`.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import type {
  ClientSurfaceSeed,
  DomainRecord,
  GroupRecord,
  IdentityPoolPatch,
  IdentityPoolRecord,
  IdentityProviderKind,
  IdpRecord,
  PoolSurface,
  SeedDomain,
  SeedGroup,
  SeedIdentityPool,
  SeedIdentityProvider,
  SeedMfa,
  SeedResourceServer,
  SeedRiskConfiguration,
  SeedUiCustomization,
  SeedWebAcl,
  SurfaceModelOptions,
  SurfaceSeed,
  UiRecord,
} from './surface-types.js';

export type {
  ClientSurfaceSeed,
  IdentityPoolPatch,
  IdentityProviderKind,
  PoolDirectory,
  PoolSurface,
  SeedDomain,
  SeedGroup,
  SeedIdentityPool,
  SeedIdentityProvider,
  SeedMfa,
  SeedResourceServer,
  SeedRiskConfiguration,
  SeedUiCustomization,
  SeedWebAcl,
  SurfaceModelOptions,
  SurfaceSeed,
} from './surface-types.js';

type Json = Record<string, unknown>;

/** The operations this model answers, with the service each belongs to. */
export const SURFACE_OPERATIONS = {
  GetUserPoolMfaConfig: 'cognito-idp',
  DescribeRiskConfiguration: 'cognito-idp',
  ListIdentityProviders: 'cognito-idp',
  DescribeIdentityProvider: 'cognito-idp',
  ListResourceServers: 'cognito-idp',
  ListGroups: 'cognito-idp',
  DescribeUserPoolDomain: 'cognito-idp',
  GetLogDeliveryConfiguration: 'cognito-idp',
  GetUICustomization: 'cognito-idp',
  ListIdentityPools: 'cognito-identity',
  DescribeIdentityPool: 'cognito-identity',
  GetIdentityPoolRoles: 'cognito-identity',
  GetWebACLForResource: 'wafv2',
  ListWebACLs: 'wafv2',
  ListResourcesForWebACL: 'wafv2',
} as const;

export type SurfaceOperation = keyof typeof SURFACE_OPERATIONS;
export type SurfaceService = 'cognito-idp' | 'cognito-identity' | 'wafv2' | 'lambda' | 'iam' | 'kms';

/** An error the service answers with (`__type`), raised by validation and lookups. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

// ---- Seeds and state: surface-types.ts ------------------------------------------------------------

const POOL_ID_RE = /^[\w-]+_[0-9a-zA-Z]+$/;
const CLIENT_ID_RE = /^[\w+]+$/;
const IDENTITY_POOL_ID_RE = /^[\w-]+:[0-9a-f-]+$/;
const DOMAIN_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const HEX = '0123456789abcdef';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DATE_KEYS = new Set(['CreationDate', 'LastModifiedDate', 'ClientSecretCreateDate']);

// ---- Validation and tokens (shared with the stand-in) -------------------------------------------

export function validationError(field: string, value: unknown, constraint: string): AwsError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return new AwsError(
    'InvalidParameterException',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

export function requireString(body: Json, key: string, field: string, re: RegExp, maxLen: number): string {
  const v = body[key];
  if (v === undefined || v === null) throw validationError(field, v, 'Member must not be null');
  if (typeof v !== 'string') throw new AwsError('SerializationException', `Unexpected value for ${key}`);
  if (v.length < 1 || v.length > maxLen) {
    throw validationError(
      field,
      v,
      `Member must have length less than or equal to ${maxLen} and greater than or equal to 1`,
    );
  }
  if (!re.test(v))
    throw validationError(field, v, `Member must satisfy regular expression pattern: ${re.source}`);
  return v;
}

/** A page-size parameter: `fallback` when absent (or `required`), else an integer in [min, max]. */
export function pageSize(
  body: Json,
  key: string,
  field: string,
  range: { min: number; max: number; required?: boolean; fallback: number },
): number {
  const v = body[key];
  if (v === undefined || v === null) {
    if (range.required) throw validationError(field, v, 'Member must not be null');
    return range.fallback;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new AwsError('SerializationException', 'STRING_VALUE can not be converted to an Integer');
  }
  if (v < range.min)
    throw validationError(field, v, `Member must have value greater than or equal to ${range.min}`);
  if (v > range.max)
    throw validationError(field, v, `Member must have value less than or equal to ${range.max}`);
  return v === 0 ? range.fallback : v;
}

/** WAF's `Limit`: 1-100, 100 when absent; out of range is WAFInvalidParameterException. */
function wafLimit(body: Json): number {
  const v = body.Limit;
  if (v === undefined || v === null) return 100;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100)
    throw new AwsError(
      'WAFInvalidParameterException',
      `Error reason: Limit must be 1-100., field: LIMIT, parameter: ${String(v)}`,
    );
  return v;
}

/** An opaque, MAC-protected pagination token bound to its operation and scope. */
export function makeToken(key: string, op: string, scope: string | undefined, seq: number): string {
  const payload = Buffer.from(JSON.stringify({ o: op, p: scope ?? null, s: seq })).toString('base64url');
  const mac = createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);
  return `${payload}.${mac}`;
}

/** The seq to continue after (0 without a token); a token from elsewhere is InvalidParameterException. */
export function readToken(key: string, body: Json, op: string, scope: string | undefined): number {
  const token = body.NextToken;
  if (token === undefined || token === null) return 0;
  const bad = new AwsError('InvalidParameterException', 'Invalid pagination token.');
  if (typeof token !== 'string' || token.length < 1 || token.length > 131072) throw bad;
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) throw bad;
  const expected = createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);
  if (mac !== expected) throw bad;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (
    !isRecord(decoded) ||
    decoded.o !== op ||
    decoded.p !== (scope ?? null) ||
    typeof decoded.s !== 'number'
  ) {
    throw bad;
  }
  return decoded.s;
}

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function epoch(d: Date): number {
  return d.getTime() / 1000;
}

/** Wire JSON → what the SDK returns: `CreationDate` / `LastModifiedDate` / `ClientSecretCreateDate` epoch seconds become Dates. */
export function withSdkDates<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withSdkDates(v)) as T;
  // Blobs (asset bytes) are already what the SDK hands back: a Uint8Array.
  if (!isRecord(value) || ArrayBuffer.isView(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = DATE_KEYS.has(k) && typeof v === 'number' ? new Date(v * 1000) : withSdkDates(v);
  }
  return out as T;
}

/** One page of `items` after the seq `after`, in seq order; `more` when another page follows. */
export function page<T extends { seq: number }>(items: Iterable<T>, after: number, max: number) {
  const all = [...items].filter((x) => x.seq > after).sort((a, b) => a.seq - b.seq);
  const slice = all.slice(0, max);
  const last = slice.at(-1);
  return { slice, more: all.length > max && last !== undefined, lastSeq: last?.seq ?? after };
}

// ---- The model ------------------------------------------------------------------------------------

export class SurfaceModel {
  private readonly surfaces = new Map<string, PoolSurface>();
  private readonly identityPools = new Map<string, IdentityPoolRecord>();
  private seq = 0;

  constructor(private readonly opts: SurfaceModelOptions) {}

  // ---- owner lifecycle

  /** Create the surface of a new pool from its seed. `poolDomain` is a `Domain` from the pool's config, if any. */
  addPool(poolId: string, seed: SurfaceSeed = {}): void {
    const surface: PoolSurface = {
      mfa: {},
      clientRisk: new Map(),
      idps: new Map(),
      groups: new Map(),
      resourceServers: new Map(),
      clientUi: new Map(),
      seq: ++this.seq,
    };
    this.surfaces.set(poolId, surface);
    if (seed.mfa) this.setMfa(poolId, seed.mfa);
    if (seed.riskConfiguration) this.setRiskConfiguration(poolId, seed.riskConfiguration);
    for (const idp of seed.identityProviders ?? []) this.addIdentityProvider(poolId, idp);
    for (const g of seed.groups ?? []) this.addGroup(poolId, g);
    for (const rs of seed.resourceServers ?? []) this.addResourceServer(poolId, rs);
    if (seed.domain !== undefined) this.setDomain(poolId, seed.domain);
    if (seed.customDomain !== undefined) this.setCustomDomain(poolId, seed.customDomain);
    if (seed.logDelivery) this.setLogDelivery(poolId, seed.logDelivery);
    if (seed.uiCustomization) this.setUiCustomization(poolId, seed.uiCustomization);
    if (seed.webAcl) this.setWebAcl(poolId, seed.webAcl);
  }

  /** Client-level parts of a new client's seed. */
  addClient(poolId: string, clientId: string, seed: ClientSurfaceSeed = {}): void {
    if (seed.riskConfiguration) this.setRiskConfiguration(poolId, seed.riskConfiguration, clientId);
    if (seed.uiCustomization) this.setUiCustomization(poolId, seed.uiCustomization, clientId);
  }

  removePool(poolId: string): void {
    this.surfaces.delete(poolId);
  }

  removeClient(poolId: string, clientId: string): void {
    const s = this.surfaces.get(poolId);
    s?.clientRisk.delete(clientId);
    s?.clientUi.delete(clientId);
  }

  /** The surface of a pool (for DescribeUserPool's Domain/CustomDomain and for tests' assertions). */
  surface(poolId: string): PoolSurface {
    const s = this.surfaces.get(poolId);
    if (!s) throw new Error(`pool ${poolId} does not exist`);
    return s;
  }

  /** DescribeUserPool's `Domain` and `CustomDomain`, as set with {@link setDomain} / {@link setCustomDomain}. */
  poolDomains(poolId: string): { Domain?: string; CustomDomain?: string } {
    const s = this.surface(poolId);
    const out: { Domain?: string; CustomDomain?: string } = {};
    if (s.domain) out.Domain = s.domain.domain;
    if (s.customDomain) out.CustomDomain = s.customDomain.domain;
    return out;
  }

  /** The pool that owns a domain (prefix or custom). */
  poolOfDomain(domain: string): string | undefined {
    for (const [poolId, s] of this.surfaces) {
      if (s.domain?.domain === domain || s.customDomain?.domain === domain) return poolId;
    }
    return undefined;
  }

  /** The pool id of a user-pool ARN of this account and region. */
  poolOfArn(arn: string): string | undefined {
    const prefix = `arn:aws:cognito-idp:${this.opts.region}:${this.opts.accountId}:userpool/`;
    return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
  }

  // ---- mutators (mirrored by the stand-in and the fake)

  /** SetUserPoolMfaConfig: merges the given fields; `MfaConfiguration` also changes DescribeUserPool. */
  setMfa(poolId: string, mfa: SeedMfa): void {
    const s = this.surface(poolId);
    const { MfaConfiguration, ...rest } = mfa;
    s.mfa = { ...s.mfa, ...rest };
    if (MfaConfiguration !== undefined) this.opts.directory.setMfaConfiguration(poolId, MfaConfiguration);
  }

  /** SetRiskConfiguration for the pool, or for one client; `null` removes it. */
  setRiskConfiguration(poolId: string, risk: SeedRiskConfiguration | null, clientId?: string): void {
    const s = this.surface(poolId);
    if (risk === null) {
      if (clientId === undefined) s.risk = undefined;
      else s.clientRisk.delete(clientId);
      return;
    }
    const { lastModifiedAt, ...config } = risk;
    const record = {
      config: structuredClone(config) as Json,
      lastModifiedAt: lastModifiedAt ?? this.opts.clock(),
    };
    if (clientId === undefined) s.risk = record;
    else s.clientRisk.set(clientId, record);
  }

  addIdentityProvider(poolId: string, idp: SeedIdentityProvider): void {
    const s = this.surface(poolId);
    if (s.idps.has(idp.name)) throw new Error(`identity provider ${idp.name} already exists in ${poolId}`);
    const createdAt = idp.createdAt ?? this.opts.clock();
    s.idps.set(idp.name, {
      seq: ++this.seq,
      name: idp.name,
      type: idp.type,
      details: { ...(idp.details ?? this.defaultIdpDetails(idp.type, idp.name)) },
      attributeMapping: { ...(idp.attributeMapping ?? defaultAttributeMapping(idp.type)) },
      idpIdentifiers: [...(idp.idpIdentifiers ?? [])],
      createdAt,
      lastModifiedAt: idp.lastModifiedAt ?? createdAt,
    });
  }

  /** UpdateIdentityProvider: `details` and `attributeMapping` are merged key by key (a key set to `undefined` is removed). */
  updateIdentityProvider(
    poolId: string,
    name: string,
    patch: {
      details?: Record<string, string | undefined>;
      attributeMapping?: Record<string, string | undefined>;
      idpIdentifiers?: string[];
      lastModifiedAt?: Date;
    },
  ): void {
    const idp = this.surface(poolId).idps.get(name);
    if (!idp) throw new Error(`identity provider ${name} does not exist in ${poolId}`);
    if (patch.details) idp.details = mergeStrings(idp.details, patch.details);
    if (patch.attributeMapping)
      idp.attributeMapping = mergeStrings(idp.attributeMapping, patch.attributeMapping);
    if (patch.idpIdentifiers) idp.idpIdentifiers = [...patch.idpIdentifiers];
    idp.lastModifiedAt = patch.lastModifiedAt ?? this.opts.clock();
  }

  removeIdentityProvider(poolId: string, name: string): void {
    if (!this.surface(poolId).idps.delete(name)) throw new Error(`identity provider ${name} does not exist`);
  }

  addGroup(poolId: string, group: SeedGroup): void {
    const s = this.surface(poolId);
    if (s.groups.has(group.name)) throw new Error(`group ${group.name} already exists in ${poolId}`);
    const createdAt = group.createdAt ?? this.opts.clock();
    s.groups.set(group.name, {
      seq: ++this.seq,
      name: group.name,
      ...(group.description === undefined ? {} : { description: group.description }),
      ...(group.roleArn === undefined ? {} : { roleArn: group.roleArn }),
      ...(group.precedence === undefined ? {} : { precedence: group.precedence }),
      createdAt,
      lastModifiedAt: group.lastModifiedAt ?? createdAt,
    });
  }

  /** UpdateGroup: a field set to `null` is removed. */
  updateGroup(
    poolId: string,
    name: string,
    patch: {
      description?: string | null;
      roleArn?: string | null;
      precedence?: number | null;
      lastModifiedAt?: Date;
    },
  ): void {
    const g = this.surface(poolId).groups.get(name);
    if (!g) throw new Error(`group ${name} does not exist in ${poolId}`);
    if (patch.description !== undefined) g.description = patch.description ?? undefined;
    if (patch.roleArn !== undefined) g.roleArn = patch.roleArn ?? undefined;
    if (patch.precedence !== undefined) g.precedence = patch.precedence ?? undefined;
    g.lastModifiedAt = patch.lastModifiedAt ?? this.opts.clock();
  }

  removeGroup(poolId: string, name: string): void {
    if (!this.surface(poolId).groups.delete(name)) throw new Error(`group ${name} does not exist`);
  }

  addResourceServer(poolId: string, rs: SeedResourceServer): void {
    const s = this.surface(poolId);
    if (s.resourceServers.has(rs.identifier))
      throw new Error(`resource server ${rs.identifier} already exists`);
    s.resourceServers.set(rs.identifier, {
      seq: ++this.seq,
      identifier: rs.identifier,
      name: rs.name,
      scopes: structuredClone(rs.scopes ?? []),
    });
  }

  updateResourceServer(
    poolId: string,
    identifier: string,
    patch: { name?: string; scopes?: { ScopeName: string; ScopeDescription: string }[] },
  ): void {
    const rs = this.surface(poolId).resourceServers.get(identifier);
    if (!rs) throw new Error(`resource server ${identifier} does not exist in ${poolId}`);
    if (patch.name !== undefined) rs.name = patch.name;
    if (patch.scopes) rs.scopes = structuredClone(patch.scopes);
  }

  removeResourceServer(poolId: string, identifier: string): void {
    if (!this.surface(poolId).resourceServers.delete(identifier)) {
      throw new Error(`resource server ${identifier} does not exist`);
    }
  }

  /** The prefix domain (`null` deletes it). DescribeUserPool then reports it as `Domain`. */
  setDomain(poolId: string, domain: string | SeedDomain | null): void {
    const s = this.surface(poolId);
    s.domain = domain === null ? undefined : this.domainRecord(poolId, domain, false);
  }

  /** The custom domain (`null` deletes it). DescribeUserPool then reports it as `CustomDomain`. */
  setCustomDomain(poolId: string, domain: string | SeedDomain | null): void {
    const s = this.surface(poolId);
    s.customDomain = domain === null ? undefined : this.domainRecord(poolId, domain, true);
  }

  /** SetLogDeliveryConfiguration (`null` removes every log configuration). */
  setLogDelivery(poolId: string, logConfigurations: Json[] | null): void {
    this.surface(poolId).logDelivery =
      logConfigurations === null ? undefined : structuredClone(logConfigurations);
  }

  /** SetUICustomization for the pool or one client (`null` removes it). */
  setUiCustomization(poolId: string, ui: SeedUiCustomization | null, clientId?: string): void {
    const s = this.surface(poolId);
    if (ui === null) {
      if (clientId === undefined) s.ui = undefined;
      else s.clientUi.delete(clientId);
      return;
    }
    const existing = clientId === undefined ? s.ui : s.clientUi.get(clientId);
    const now = this.opts.clock();
    const record: UiRecord = {
      createdAt: ui.createdAt ?? existing?.createdAt ?? now,
      lastModifiedAt: ui.lastModifiedAt ?? now,
      ...(ui.css === undefined ? {} : { css: ui.css }),
      ...(ui.imageUrl === undefined ? {} : { imageUrl: ui.imageUrl }),
    };
    if (clientId === undefined) s.ui = record;
    else s.clientUi.set(clientId, record);
  }

  /** AssociateWebACL / DisassociateWebACL (`null`). */
  setWebAcl(poolId: string, acl: SeedWebAcl | null): void {
    const s = this.surface(poolId);
    if (acl === null) {
      s.webAcl = undefined;
      return;
    }
    // One web ACL per name in a scope: a pool given a name another pool's ACL has joins that ACL.
    const sameName = [...this.surfaces.values()].find((o) => o.webAcl?.Name === acl.name)?.webAcl;
    const id = acl.id ?? (typeof sameName?.Id === 'string' ? sameName.Id : this.uuid());
    s.webAcl = {
      Name: acl.name,
      Id: id,
      ARN: `arn:aws:wafv2:${this.opts.region}:${this.opts.accountId}:regional/webacl/${acl.name}/${id}`,
      DefaultAction: acl.defaultAction === 'Block' ? { Block: {} } : { Allow: {} },
      ...(acl.description === undefined ? {} : { Description: acl.description }),
      Rules: structuredClone(acl.rules ?? []),
      VisibilityConfig: {
        SampledRequestsEnabled: true,
        CloudWatchMetricsEnabled: true,
        MetricName: acl.name,
      },
      Capacity: 0,
      ManagedByFirewallManager: false,
      LabelNamespace: `awswaf:${this.opts.accountId}:webacl:${acl.name}:`,
      RetrofittedByFirewallManager: false,
    };
  }

  /** Adds an identity pool; returns its id. */
  addIdentityPool(p: SeedIdentityPool): string {
    const id = p.id ?? `${this.opts.region}:${this.uuid()}`;
    if (this.identityPools.has(id)) throw new Error(`identity pool ${id} already exists`);
    const record: IdentityPoolRecord = {
      seq: ++this.seq,
      id,
      name: p.name,
      allowUnauthenticated: p.allowUnauthenticated ?? false,
      allowClassicFlow: p.allowClassicFlow ?? false,
      roles: { ...(p.roles ?? {}) },
    };
    this.applyIdentityPatch(record, p);
    this.identityPools.set(id, record);
    return id;
  }

  /** UpdateIdentityPool: replaces the given fields (a field set to `undefined` removes it). */
  updateIdentityPool(id: string, patch: IdentityPoolPatch): void {
    this.applyIdentityPatch(this.mustIdentityPool(id), patch);
  }

  /** SetIdentityPoolRoles. */
  setIdentityPoolRoles(id: string, roles: Record<string, string>, roleMappings?: Record<string, Json>): void {
    const p = this.mustIdentityPool(id);
    p.roles = { ...roles };
    p.roleMappings = roleMappings === undefined ? undefined : structuredClone(roleMappings);
  }

  removeIdentityPool(id: string): void {
    if (!this.identityPools.delete(id)) throw new Error(`identity pool ${id} does not exist`);
  }

  identityPoolIds(): string[] {
    return [...this.identityPools.values()].sort((a, b) => a.seq - b.seq).map((p) => p.id);
  }

  // ---- answering

  /**
   * Answer one operation with the service's wire JSON (epoch-second dates), or throw {@link AwsError}.
   * Validation runs first, then lookups, as the services do.
   */
  answer(op: SurfaceOperation, body: Json): Json {
    switch (op) {
      case 'GetUserPoolMfaConfig': {
        const poolId = this.requirePool(body);
        return this.mfaView(poolId);
      }
      case 'DescribeRiskConfiguration': {
        const poolId = this.requirePool(body);
        const clientId = this.optionalClient(body, poolId);
        const s = this.surface(poolId);
        const own = clientId === undefined ? undefined : s.clientRisk.get(clientId);
        const record = own ?? s.risk;
        const view: Json = { UserPoolId: poolId };
        if (own && clientId !== undefined) view.ClientId = clientId;
        if (record)
          Object.assign(view, structuredClone(record.config), {
            LastModifiedDate: epoch(record.lastModifiedAt),
          });
        return { RiskConfiguration: view };
      }
      case 'ListIdentityProviders': {
        const poolId = this.requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
        const max = pageSize(body, 'MaxResults', 'maxResults', { min: 1, max: 60, fallback: 60 });
        const after = readToken(this.opts.tokenKey, body, op, poolId);
        const s = this.poolSurfaceOrNotFound(poolId);
        const p = page(s.idps.values(), after, max);
        const out: Json = {
          Providers: p.slice.map((i) => ({
            ProviderName: i.name,
            ProviderType: i.type,
            LastModifiedDate: epoch(i.lastModifiedAt),
            CreationDate: epoch(i.createdAt),
          })),
        };
        if (p.more) out.NextToken = makeToken(this.opts.tokenKey, op, poolId, p.lastSeq);
        return out;
      }
      case 'DescribeIdentityProvider': {
        const poolId = this.requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
        const name = this.requireString(
          body,
          'ProviderName',
          'providerName',
          /^[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+$/u,
          32,
        );
        const idp = this.poolSurfaceOrNotFound(poolId).idps.get(name);
        if (!idp)
          throw new AwsError('ResourceNotFoundException', `Identity provider ${name} does not exist.`);
        return { IdentityProvider: this.idpView(poolId, idp) };
      }
      case 'ListResourceServers': {
        const poolId = this.requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
        const max = pageSize(body, 'MaxResults', 'maxResults', { min: 1, max: 50, fallback: 50 });
        const after = readToken(this.opts.tokenKey, body, op, poolId);
        const p = page(this.poolSurfaceOrNotFound(poolId).resourceServers.values(), after, max);
        const out: Json = {
          ResourceServers: p.slice.map((r) => ({
            UserPoolId: poolId,
            Identifier: r.identifier,
            Name: r.name,
            Scopes: structuredClone(r.scopes),
          })),
        };
        if (p.more) out.NextToken = makeToken(this.opts.tokenKey, op, poolId, p.lastSeq);
        return out;
      }
      case 'ListGroups': {
        const poolId = this.requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
        // The API reference gives Limit 0..60; 0 and absent both mean a full page here.
        const max = pageSize(body, 'Limit', 'limit', { min: 0, max: 60, fallback: 60 });
        const after = readToken(this.opts.tokenKey, body, op, poolId);
        const p = page(this.poolSurfaceOrNotFound(poolId).groups.values(), after, max);
        const out: Json = { Groups: p.slice.map((g) => this.groupView(poolId, g)) };
        if (p.more) out.NextToken = makeToken(this.opts.tokenKey, op, poolId, p.lastSeq);
        return out;
      }
      case 'DescribeUserPoolDomain': {
        const domain = this.requireString(body, 'Domain', 'domain', DOMAIN_RE, 63 * 4);
        const poolId = this.poolOfDomain(domain);
        if (poolId === undefined) return { DomainDescription: {} };
        const s = this.surface(poolId);
        const record = s.domain?.domain === domain ? s.domain : s.customDomain;
        return record ? { DomainDescription: this.domainView(poolId, record) } : { DomainDescription: {} };
      }
      case 'GetLogDeliveryConfiguration': {
        const poolId = this.requirePool(body);
        const configs = this.surface(poolId).logDelivery ?? [];
        return {
          LogDeliveryConfiguration: { UserPoolId: poolId, LogConfigurations: structuredClone(configs) },
        };
      }
      case 'GetUICustomization': {
        const poolId = this.requirePool(body);
        const clientId = this.optionalClient(body, poolId);
        const s = this.surface(poolId);
        const own = clientId === undefined ? undefined : s.clientUi.get(clientId);
        const record = own ?? s.ui;
        const view: Json = { UserPoolId: poolId, ClientId: own && clientId !== undefined ? clientId : 'ALL' };
        if (record) {
          if (record.imageUrl !== undefined) view.ImageUrl = record.imageUrl;
          if (record.css !== undefined) {
            view.CSS = record.css;
            view.CSSVersion = cssVersion(record.lastModifiedAt);
          }
          view.LastModifiedDate = epoch(record.lastModifiedAt);
          view.CreationDate = epoch(record.createdAt);
        }
        return { UICustomization: view };
      }
      case 'ListIdentityPools': {
        const max = pageSize(body, 'MaxResults', 'maxResults', {
          min: 1,
          max: 60,
          required: true,
          fallback: 60,
        });
        const after = readToken(this.opts.tokenKey, body, op, undefined);
        const p = page(this.identityPools.values(), after, max);
        const out: Json = {
          IdentityPools: p.slice.map((i) => ({ IdentityPoolId: i.id, IdentityPoolName: i.name })),
        };
        if (p.more) out.NextToken = makeToken(this.opts.tokenKey, op, undefined, p.lastSeq);
        return out;
      }
      case 'DescribeIdentityPool':
        return this.identityPoolView(this.lookupIdentityPool(body));
      case 'GetIdentityPoolRoles': {
        const p = this.lookupIdentityPool(body);
        const out: Json = { IdentityPoolId: p.id, Roles: { ...p.roles } };
        if (p.roleMappings) out.RoleMappings = structuredClone(p.roleMappings);
        return out;
      }
      case 'GetWebACLForResource': {
        const arn = body.ResourceArn;
        if (typeof arn !== 'string' || arn.length < 20 || arn.length > 2048 || !arn.startsWith('arn:')) {
          throw new AwsError(
            'WAFInvalidParameterException',
            `Error reason: The ARN isn\u2019t valid., field: RESOURCE_ARN, parameter: ${String(arn)}`,
          );
        }
        const poolId = this.poolOfArn(arn);
        const s = poolId === undefined ? undefined : this.surfaces.get(poolId);
        if (!s || poolId === undefined || this.opts.directory.mfaConfiguration(poolId) === undefined) {
          throw new AwsError(
            'WAFNonexistentItemException',
            'AWS WAF couldn\u2019t perform the operation because your resource doesn\u2019t exist.',
          );
        }
        return s.webAcl ? { WebACL: structuredClone(s.webAcl) } : {};
      }
      case 'ListWebACLs': {
        if (body.Scope !== 'REGIONAL' && body.Scope !== 'CLOUDFRONT')
          throw new AwsError(
            'WAFInvalidParameterException',
            'Error reason: Scope is required., field: SCOPE_VALUE',
          );
        const max = wafLimit(body);
        const acls = body.Scope === 'REGIONAL' ? this.webAcls() : [];
        let after: number;
        try {
          after = readToken(this.opts.tokenKey, { NextToken: body.NextMarker }, op, undefined);
        } catch {
          throw new AwsError(
            'WAFInvalidParameterException',
            'Error reason: NextMarker is not valid., field: NEXT_MARKER',
          );
        }
        const p = page(acls, after, max);
        const out: Json = {
          WebACLs: p.slice.map(({ acl }) => ({
            Name: acl.Name,
            Id: acl.Id,
            ARN: acl.ARN,
            ...(acl.Description === undefined ? {} : { Description: acl.Description }),
            LockToken: `lock-${String(acl.Id)}`,
          })),
        };
        if (p.more) out.NextMarker = makeToken(this.opts.tokenKey, op, undefined, p.lastSeq);
        return out;
      }
      case 'ListResourcesForWebACL': {
        const arn = body.WebACLArn;
        if (typeof arn !== 'string' || arn.length < 20 || arn.length > 2048)
          throw new AwsError(
            'WAFInvalidParameterException',
            'Error reason: The ARN isn\u2019t valid., field: RESOURCE_ARN',
          );
        if (!this.webAcls().some(({ acl }) => acl.ARN === arn))
          throw new AwsError(
            'WAFNonexistentItemException',
            'AWS WAF couldn\u2019t perform the operation because your resource doesn\u2019t exist.',
          );
        if (body.ResourceType !== 'COGNITO_USER_POOL') return { ResourceArns: [] };
        const arns = [...this.surfaces]
          .filter(
            ([poolId, s]) =>
              s.webAcl?.ARN === arn && this.opts.directory.mfaConfiguration(poolId) !== undefined,
          )
          .map(
            ([poolId]) => `arn:aws:cognito-idp:${this.opts.region}:${this.opts.accountId}:userpool/${poolId}`,
          );
        return { ResourceArns: arns };
      }
    }
  }

  /** The account's regional web ACLs (those associated with an existing pool), ordered by name. */
  private webAcls(): { seq: number; acl: Json }[] {
    const byArn = new Map<string, Json>();
    for (const [poolId, s] of this.surfaces) {
      if (s.webAcl && this.opts.directory.mfaConfiguration(poolId) !== undefined)
        byArn.set(String(s.webAcl.ARN), s.webAcl);
    }
    return [...byArn.values()]
      .sort((a, b) => String(a.Name).localeCompare(String(b.Name)))
      .map((acl, i) => ({ seq: i + 1, acl }));
  }

  // ---- views

  private mfaView(poolId: string): Json {
    const s = this.surface(poolId);
    const mfaConfiguration = this.opts.directory.mfaConfiguration(poolId) ?? 'OFF';
    const out: Json = { MfaConfiguration: mfaConfiguration };
    const totp = s.mfa.SoftwareTokenMfaConfiguration ?? { Enabled: mfaConfiguration !== 'OFF' };
    out.SoftwareTokenMfaConfiguration = structuredClone(totp);
    if (s.mfa.SmsMfaConfiguration) out.SmsMfaConfiguration = structuredClone(s.mfa.SmsMfaConfiguration);
    if (s.mfa.EmailMfaConfiguration) out.EmailMfaConfiguration = structuredClone(s.mfa.EmailMfaConfiguration);
    out.WebAuthnConfiguration = structuredClone(
      s.mfa.WebAuthnConfiguration ?? { UserVerification: 'preferred' },
    );
    return out;
  }

  private idpView(poolId: string, i: IdpRecord): Json {
    return {
      UserPoolId: poolId,
      ProviderName: i.name,
      ProviderType: i.type,
      ProviderDetails: { ...i.details },
      AttributeMapping: { ...i.attributeMapping },
      IdpIdentifiers: [...i.idpIdentifiers],
      LastModifiedDate: epoch(i.lastModifiedAt),
      CreationDate: epoch(i.createdAt),
    };
  }

  private groupView(poolId: string, g: GroupRecord): Json {
    const view: Json = { GroupName: g.name, UserPoolId: poolId };
    if (g.description !== undefined) view.Description = g.description;
    if (g.roleArn !== undefined) view.RoleArn = g.roleArn;
    if (g.precedence !== undefined) view.Precedence = g.precedence;
    view.LastModifiedDate = epoch(g.lastModifiedAt);
    view.CreationDate = epoch(g.createdAt);
    return view;
  }

  private domainView(poolId: string, d: DomainRecord): Json {
    const view: Json = {
      UserPoolId: poolId,
      AWSAccountId: this.opts.accountId,
      Domain: d.domain,
      S3Bucket: `aws-cognito-prod-${this.opts.region.replace(/-\d+$/, '')}-assets`,
      CloudFrontDistribution: d.cloudFrontDistribution,
      Version: d.version,
      Status: d.status,
      ManagedLoginVersion: d.managedLoginVersion,
    };
    if (d.certificateArn !== undefined) view.CustomDomainConfig = { CertificateArn: d.certificateArn };
    return view;
  }

  private identityPoolView(p: IdentityPoolRecord): Json {
    const view: Json = {
      IdentityPoolId: p.id,
      IdentityPoolName: p.name,
      AllowUnauthenticatedIdentities: p.allowUnauthenticated,
      AllowClassicFlow: p.allowClassicFlow,
    };
    if (p.supportedLoginProviders) view.SupportedLoginProviders = { ...p.supportedLoginProviders };
    if (p.developerProviderName !== undefined) view.DeveloperProviderName = p.developerProviderName;
    if (p.openIdConnectProviderArns) view.OpenIdConnectProviderARNs = [...p.openIdConnectProviderArns];
    if (p.cognitoIdentityProviders)
      view.CognitoIdentityProviders = structuredClone(p.cognitoIdentityProviders);
    if (p.samlProviderArns) view.SamlProviderARNs = [...p.samlProviderArns];
    view.IdentityPoolTags = { ...(p.tags ?? {}) };
    return view;
  }

  // ---- lookups and helpers

  private requireString(body: Json, key: string, field: string, re: RegExp, maxLen: number): string {
    return requireString(body, key, field, re, maxLen);
  }

  private requirePool(body: Json): string {
    const poolId = requireString(body, 'UserPoolId', 'userPoolId', POOL_ID_RE, 55);
    this.poolSurfaceOrNotFound(poolId);
    return poolId;
  }

  private poolSurfaceOrNotFound(poolId: string): PoolSurface {
    const s = this.surfaces.get(poolId);
    if (!s || this.opts.directory.mfaConfiguration(poolId) === undefined) {
      throw new AwsError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    }
    return s;
  }

  private optionalClient(body: Json, poolId: string): string | undefined {
    if (body.ClientId === undefined || body.ClientId === null) return undefined;
    const clientId = requireString(body, 'ClientId', 'clientId', CLIENT_ID_RE, 128);
    if (!this.opts.directory.hasClient(poolId, clientId)) {
      throw new AwsError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    }
    return clientId;
  }

  private lookupIdentityPool(body: Json): IdentityPoolRecord {
    const id = requireString(body, 'IdentityPoolId', 'identityPoolId', IDENTITY_POOL_ID_RE, 55);
    const p = this.identityPools.get(id);
    if (!p) throw new AwsError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
    return p;
  }

  private mustIdentityPool(id: string): IdentityPoolRecord {
    const p = this.identityPools.get(id);
    if (!p) throw new Error(`identity pool ${id} does not exist`);
    return p;
  }

  private applyIdentityPatch(record: IdentityPoolRecord, patch: IdentityPoolPatch): void {
    const has = (k: keyof IdentityPoolPatch) => Object.hasOwn(patch, k);
    if (patch.name !== undefined) record.name = patch.name;
    if (patch.allowUnauthenticated !== undefined) record.allowUnauthenticated = patch.allowUnauthenticated;
    if (patch.allowClassicFlow !== undefined) record.allowClassicFlow = patch.allowClassicFlow;
    if (has('supportedLoginProviders')) record.supportedLoginProviders = copy(patch.supportedLoginProviders);
    if (has('developerProviderName')) record.developerProviderName = patch.developerProviderName;
    if (has('openIdConnectProviderArns'))
      record.openIdConnectProviderArns = copy(patch.openIdConnectProviderArns);
    if (has('samlProviderArns')) record.samlProviderArns = copy(patch.samlProviderArns);
    if (has('cognitoIdentityProviders'))
      record.cognitoIdentityProviders = copy(patch.cognitoIdentityProviders);
    if (has('tags')) record.tags = copy(patch.tags);
    if (patch.roles !== undefined) record.roles = { ...patch.roles };
    if (has('roleMappings')) record.roleMappings = copy(patch.roleMappings);
  }

  private domainRecord(poolId: string, domain: string | SeedDomain, custom: boolean): DomainRecord {
    const seed: SeedDomain = typeof domain === 'string' ? { domain } : domain;
    const owner = this.poolOfDomain(seed.domain);
    if (owner !== undefined && owner !== poolId) throw new Error(`domain ${seed.domain} belongs to ${owner}`);
    const certificateArn =
      seed.certificateArn ??
      (custom ? `arn:aws:acm:us-east-1:${this.opts.accountId}:certificate/${this.uuid()}` : undefined);
    return {
      domain: seed.domain,
      ...(certificateArn === undefined ? {} : { certificateArn }),
      cloudFrontDistribution:
        seed.cloudFrontDistribution ?? `d${this.randomString(LOWER_ALNUM, 13)}.cloudfront.net`,
      managedLoginVersion: seed.managedLoginVersion ?? 1,
      status: seed.status ?? 'ACTIVE',
      version: cssVersion(this.opts.clock()),
    };
  }

  private defaultIdpDetails(type: IdentityProviderKind, name: string): Record<string, string> {
    const secret = this.randomString(LOWER_ALNUM, 40);
    const clientId = this.randomString(LOWER_ALNUM, 24);
    switch (type) {
      case 'SAML':
        return {
          MetadataURL: `https://idp.example.com/saml/${encodeURIComponent(name)}/metadata.xml`,
          IDPSignout: 'false',
          IDPInit: 'false',
          EncryptedResponses: 'false',
          ActiveEncryptionCertificate: `MIIC${this.randomString(LOWER_ALNUM, 32)}`,
        };
      case 'OIDC':
        return {
          client_id: clientId,
          client_secret: secret,
          attributes_request_method: 'GET',
          oidc_issuer: `https://login.example.com/${encodeURIComponent(name)}`,
          authorize_scopes: 'openid email profile',
          authorize_url: `https://login.example.com/${encodeURIComponent(name)}/authorize`,
          token_url: `https://login.example.com/${encodeURIComponent(name)}/token`,
          attributes_url: `https://login.example.com/${encodeURIComponent(name)}/userinfo`,
          jwks_uri: `https://login.example.com/${encodeURIComponent(name)}/jwks`,
        };
      case 'SignInWithApple':
        return {
          client_id: `com.example.${clientId}`,
          team_id: this.randomString(LOWER_ALNUM, 10).toUpperCase(),
          key_id: this.randomString(LOWER_ALNUM, 10).toUpperCase(),
          private_key: `-----BEGIN PRIVATE KEY-----${secret}-----END PRIVATE KEY-----`,
          authorize_scopes: 'email name',
        };
      default:
        return {
          client_id: clientId,
          client_secret: secret,
          authorize_scopes: type === 'Facebook' ? 'public_profile,email' : 'profile email openid',
        };
    }
  }

  private uuid(): string {
    const h = (n: number) => this.randomString(HEX, n);
    return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[Math.floor(this.opts.rand() * 4)]}${h(3)}-${h(12)}`;
  }

  private randomString(alphabet: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.opts.rand() * alphabet.length)];
    return s;
  }
}

function defaultAttributeMapping(type: IdentityProviderKind): Record<string, string> {
  switch (type) {
    case 'SAML':
      return { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' };
    case 'Facebook':
      return { email: 'email', username: 'id' };
    case 'Google':
      return { email: 'email', username: 'sub' };
    default:
      return { email: 'email', username: 'sub' };
  }
}

function mergeStrings(
  base: Record<string, string>,
  patch: Record<string, string | undefined>,
): Record<string, string> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

function copy<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** CSSVersion / domain Version: Cognito uses a timestamp string. */
function cssVersion(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
