import deepDiff from 'deep-diff';
import { canonicalJson } from './canonical.js';
import { entryNamed, kindApplies, type SurfaceCatalog } from './catalog.js';
import { upgradeLegacyDigests } from './normalize.js';
import { TOKEN_DEFAULTS } from './severity.js';
import type {
  Change,
  ChangeScope,
  ClientRiskSettings,
  ClientSnapshot,
  Json,
  JsonObject,
  PoolSnapshot,
  SurfaceSnapshot,
} from './types.js';

/**
 * The typed changes that turn `baseline` into `current`. `null` means "the pool does not exist"
 * (no baseline yet, or the pool was deleted). Changes come in a stable order: pool-level first,
 * then clients by id, fields by path. A kind of the `catalog` that has no effect in the current
 * pool (its `readOnlyWhen` does not hold) is not compared: it was not read. The catalog is required,
 * so that no caller compares such a kind as recorded by forgetting it.
 */
export function diffPool(
  baseline: PoolSnapshot | null,
  current: PoolSnapshot | null,
  catalog: SurfaceCatalog,
): Change[] {
  if (!baseline && !current) return [];
  if (!baseline && current)
    return [{ kind: 'pool-added', poolId: current.poolId, poolName: current.poolName }];
  if (baseline && !current) {
    return [{ kind: 'pool-removed', poolId: baseline.poolId, poolName: baseline.poolName }];
  }
  const before = baseline as PoolSnapshot;
  const after = current as PoolSnapshot;
  const poolScope: ChangeScope = { poolId: after.poolId, poolName: after.poolName };
  // A baseline of an earlier release holds unkeyed digests: compared by value where the read allows.
  const changes: Change[] = diffConfig(
    poolScope,
    upgradeLegacyDigests(before.config, after.config),
    after.config,
  );

  const clientIds = [...new Set([...Object.keys(before.clients), ...Object.keys(after.clients)])].sort();
  for (const clientId of clientIds) {
    changes.push(...diffClient(poolScope, before.clients[clientId], after.clients[clientId]));
  }
  // Only surfaces both sides watched are compared: a surface the baseline predates, or one that was
  // turned off or could not be read, is never reported as added or removed. Nor is one without effect
  // in the current pool (no domain for the hosted UI's): the pool's own fields report that change,
  // and what the kind held is compared again once it has effect.
  for (const surface of Object.keys(after.surfaces ?? {}).sort()) {
    const entry = entryNamed(catalog, surface);
    if (entry && !kindApplies(entry, after.config)) continue;
    const was = before.surfaces?.[surface];
    const is = after.surfaces?.[surface];
    if (was && is) changes.push(...diffSurface(poolScope, surface, was, is));
  }
  return changes;
}

function diffSurface(
  poolScope: ChangeScope,
  surface: string,
  before: SurfaceSnapshot,
  after: SurfaceSnapshot,
) {
  const changes: Change[] = [];
  for (const resourceId of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = before[resourceId];
    const is = after[resourceId];
    const resourceName = (is ?? was)?.name ?? resourceId;
    const scope = { ...poolScope, surface, resourceId, resourceName };
    if (!was && is) changes.push({ kind: 'resource-added', ...scope, config: is.config });
    else if (was && !is) changes.push({ kind: 'resource-removed', ...scope, config: was.config });
    else if (was && is)
      changes.push(...diffConfig(scope, upgradeLegacyDigests(was.config, is.config), is.config));
  }
  return changes;
}

function diffClient(
  poolScope: ChangeScope,
  before: ClientSnapshot | undefined,
  after: ClientSnapshot | undefined,
): Change[] {
  const subject = (after ?? before) as ClientSnapshot;
  const scope = { ...poolScope, clientId: subject.clientId, clientName: subject.clientName };
  if (!before) return [{ kind: 'client-added', ...scope, settings: clientRiskSettings(subject) }];
  if (!after) return [{ kind: 'client-removed', ...scope }];

  const changes: Change[] = diffConfig(scope, before.config, after.config);
  for (const [secretId, secret] of Object.entries(after.secrets)) {
    if (!(secretId in before.secrets)) {
      changes.push({ kind: 'secret-added', ...scope, secretId, createdAt: secret.createdAt });
    }
  }
  for (const [secretId, secret] of Object.entries(before.secrets)) {
    if (!(secretId in after.secrets)) {
      changes.push({ kind: 'secret-removed', ...scope, secretId, createdAt: secret.createdAt });
    }
  }
  return changes;
}

/**
 * The settings a reviewer of a new client needs: how it signs users in (auth and OAuth flows,
 * scopes), where it sends tokens (redirect hosts), how long they last, and whether it has a secret.
 */
export function clientRiskSettings(client: ClientSnapshot): ClientRiskSettings {
  const config = client.config;
  const units = isObject(config.TokenValidityUnits) ? config.TokenValidityUnits : {};
  const lifetime = (token: keyof typeof TOKEN_DEFAULTS) => {
    const spec = TOKEN_DEFAULTS[token];
    const value = config[spec.field];
    const unit = units[token];
    return typeof value === 'number'
      ? { value, unit: typeof unit === 'string' ? unit : spec.unit, isDefault: false }
      : { value: spec.value, unit: spec.unit, isDefault: true };
  };
  return {
    authFlows: stringsAt(config, 'ExplicitAuthFlows'),
    oauthEnabled: config.AllowedOAuthFlowsUserPoolClient === true,
    oauthFlows: stringsAt(config, 'AllowedOAuthFlows'),
    oauthScopes: stringsAt(config, 'AllowedOAuthScopes'),
    callbackHosts: hostsOf([
      ...stringsAt(config, 'CallbackURLs'),
      ...stringsAt(config, 'DefaultRedirectURI'),
    ]),
    logoutHosts: hostsOf(stringsAt(config, 'LogoutURLs')),
    tokens: { access: lifetime('AccessToken'), id: lifetime('IdToken'), refresh: lifetime('RefreshToken') },
    secrets: Object.keys(client.secrets).length,
  };
}

function stringsAt(config: JsonObject, field: string): string[] {
  const value = config[field];
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.filter((v): v is string => typeof v === 'string'))].sort();
}

/** `host` of an https URL; `scheme://host` otherwise (http and app schemes are worth seeing). */
function hostsOf(urls: readonly string[]): string[] {
  const hosts = urls.map((url) => {
    try {
      const parsed = new URL(url);
      const host = parsed.host.toLowerCase();
      return parsed.protocol === 'https:' ? host : `${parsed.protocol}//${host}`;
    } catch {
      return url;
    }
  });
  return [...new Set(hosts)].sort();
}

/**
 * Diffs two normalized configs with deep-diff and turns its raw records into readable changes.
 *
 * deep-diff finds *where* the two differ; its records cannot be the changes themselves, for two reasons:
 * - Lists are sets after normalization (sorted), but deep-diff reports list edits by index: one
 *   callback URL added at the front of a sorted list comes back as an edit of every later index plus
 *   an append. A person (and the `new-redirect-domain` rule) needs "added X, removed Y" for the whole
 *   list, so any record inside a list becomes one `list-changed` computed from the two lists. Turning
 *   lists into maps keyed by each item's canonical JSON would make deep-diff report items as N/D
 *   records, but the paths would carry whole JSON items and still need regrouping per list.
 * - A whole object added or removed is one N/D record holding the object; severity rules are keyed by
 *   leaf paths (`Policies.PasswordPolicy.MinimumLength`), so it is flattened into its leaf fields.
 * `diff-oracle.test.ts` checks the result against an independent flatten-and-compare oracle.
 */
function diffConfig(scope: ChangeScope, before: JsonObject, after: JsonObject): Change[] {
  const raw = deepDiff.diff(before, after) ?? [];
  const listPaths = new Set<string>();
  const changes: Change[] = [];
  for (const record of raw) {
    const path = (record.path ?? []).map(String);
    const listDepth = firstListDepth(before, after, path, record.kind === 'A');
    if (listDepth !== undefined) {
      const listPath = path.slice(0, listDepth);
      const key = listPath.join('\u0000');
      if (listPaths.has(key)) continue;
      listPaths.add(key);
      changes.push(...listChange(scope, listPath, valueAt(before, listPath), valueAt(after, listPath)));
      continue;
    }
    changes.push(...leafChanges(scope, path, valueAt(before, path), valueAt(after, path)));
  }
  return changes.sort((a, b) => pathOf(a).localeCompare(pathOf(b)));
}

/** The depth of the first list on `path` in either config (a list change is reported whole). */
function firstListDepth(
  before: Json,
  after: Json,
  path: string[],
  isArrayRecord: boolean,
): number | undefined {
  for (let depth = 0; depth <= path.length; depth++) {
    const prefix = path.slice(0, depth);
    if (Array.isArray(valueAt(before, prefix)) || Array.isArray(valueAt(after, prefix))) return depth;
  }
  return isArrayRecord ? path.length : undefined;
}

function listChange(scope: ChangeScope, path: string[], before: Json | undefined, after: Json | undefined) {
  const beforeItems = Array.isArray(before) ? before : before === undefined ? [] : [before];
  const afterItems = Array.isArray(after) ? after : after === undefined ? [] : [after];
  const beforeKeys = new Set(beforeItems.map((item) => canonicalJson(item)));
  const afterKeys = new Set(afterItems.map((item) => canonicalJson(item)));
  const added = afterItems.filter((item) => !beforeKeys.has(canonicalJson(item)));
  const removed = beforeItems.filter((item) => !afterKeys.has(canonicalJson(item)));
  if (added.length === 0 && removed.length === 0) return [];
  return [{ kind: 'list-changed' as const, ...scope, path: path.join('.'), added, removed }];
}

function leafChanges(scope: ChangeScope, path: string[], before: Json | undefined, after: Json | undefined) {
  const out: Change[] = [];
  const walk = (at: string[], b: Json | undefined, a: Json | undefined): void => {
    if (isObject(b) || isObject(a)) {
      if ((b === undefined || isObject(b)) && (a === undefined || isObject(a))) {
        const keys = new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})]);
        for (const key of [...keys].sort()) walk([...at, key], b?.[key], a?.[key]);
        return;
      }
    }
    if (Array.isArray(b) || Array.isArray(a)) {
      out.push(...listChange(scope, at, b, a));
      return;
    }
    if (canonicalJson(b) !== canonicalJson(a)) {
      out.push({ kind: 'field-changed', ...scope, path: at.join('.'), before: b, after: a });
    }
  };
  walk(path, before, after);
  return out;
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(root: Json, path: readonly string[]): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(key)] : node[key];
  }
  return node;
}

function pathOf(change: Change): string {
  return 'path' in change ? change.path : '';
}
