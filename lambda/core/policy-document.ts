/**
 * IAM policy documents (a role's trust and permission policies, a Lambda function's resource policy,
 * a KMS key policy) as normalized JSON, so that a widened `Action`, `Resource` or `Principal` shows
 * as a change of that one field rather than as a different string.
 *
 * - The document may come URL-encoded (IAM returns it so) or as a JSON string.
 * - `Statement` becomes an object keyed by each statement's `Sid`, or by `#<n>` (its position) when
 *   it has none: editing a statement in place shows as a change of its fields.
 * - A single string where a list is allowed (`Action`, `NotAction`, `Resource`, `NotResource`, each
 *   principal kind, each condition value) becomes a one-item list; lists are sorted and
 *   de-duplicated by the snapshot's normalization.
 */
import type { Json, JsonObject } from './types.js';

/** A policy document that is not JSON, kept as found so that a change to it still shows. */
export interface UnparsedPolicy {
  unparsed: string;
}

const LISTS = ['Action', 'NotAction', 'Resource', 'NotResource'];

/** The normalized form of a policy document (a string from the API), or the text when it does not parse. */
export function normalizePolicy(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded(text));
  } catch {
    return { unparsed: text };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { unparsed: text };
  const doc = parsed as Record<string, unknown>;
  const out: JsonObject = {};
  if (typeof doc.Version === 'string') out.Version = doc.Version;
  if (typeof doc.Id === 'string') out.Id = doc.Id;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const byKey: JsonObject = {};
  statements.forEach((statement, i) => {
    if (statement === null || typeof statement !== 'object') return;
    const s = statement as Record<string, unknown>;
    let key = typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : `#${i + 1}`;
    if (key in byKey) key = `${key}#${i + 1}`;
    byKey[key] = normalizeStatement(s);
  });
  out.Statement = byKey;
  return out;
}

function normalizeStatement(s: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [field, value] of Object.entries(s)) {
    if (field === 'Sid') continue;
    if (LISTS.includes(field)) out[field] = asList(value);
    else if (field === 'Principal' || field === 'NotPrincipal') out[field] = principal(value);
    else if (field === 'Condition') out[field] = condition(value);
    else out[field] = value as Json;
  }
  return out;
}

/** `"*"` stays `"*"` (anyone); `{ AWS: "arn" }` becomes `{ AWS: ["arn"] }`. */
function principal(value: unknown): Json {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return value as Json;
  return Object.fromEntries(Object.entries(value).map(([kind, ids]) => [kind, asList(ids)]));
}

function condition(value: unknown): Json {
  if (value === null || typeof value !== 'object') return value as Json;
  return Object.fromEntries(
    Object.entries(value).map(([operator, keys]) => [
      operator,
      keys !== null && typeof keys === 'object' && !Array.isArray(keys)
        ? Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, asList(v)]))
        : (keys as Json),
    ]),
  );
}

function asList(value: unknown): Json {
  const items = Array.isArray(value) ? value : [value];
  return [...new Set(items.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))].sort();
}

/** IAM returns documents URL-encoded (RFC 3986); a plain JSON document is returned as is. */
function decoded(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return trimmed;
  try {
    return decodeURIComponent(trimmed.replace(/\+/g, '%20'));
  } catch {
    return trimmed;
  }
}

/** A change inside a normalized policy, as the diff reports it. */
export type PolicyChange =
  | { kind: 'list-changed'; added: Json[]; removed: Json[] }
  | { kind: 'field-changed'; before: Json | undefined; after: Json | undefined };

/**
 * Whether a change inside one statement widens what the policy allows. `field` is the path below
 * the statement (`Action`, `Principal.AWS`, `Condition.StringEquals.aws:SourceAccount`, `Effect`);
 * `effect` the statement's Effect after the change (before it, for a removed statement).
 *
 * Widened means: an Allow statement gains an action, resource or principal (a new Allow statement
 * does, field by field), loses an item of its NotAction or NotResource, or loses a condition; a
 * statement turns into Allow; a Deny statement goes away.
 */
export function widensPolicy(change: PolicyChange, field: string, effect: Json | undefined): boolean {
  const [head = ''] = field.split('.');
  if (head === 'Effect' && change.kind === 'field-changed')
    return change.after === 'Allow' || (change.before === 'Deny' && change.after === undefined);
  if (effect !== 'Allow') return false;
  const grows = ['Action', 'Resource', 'Principal'].includes(head);
  const shrinks = ['NotAction', 'NotResource', 'Condition'].includes(head);
  if (change.kind === 'list-changed')
    return grows ? change.added.length > 0 : shrinks && change.removed.length > 0;
  if (grows) return change.after !== undefined;
  return shrinks && change.after === undefined;
}

/**
 * Splits a path inside a snapshot's config at the statement it is in: `[policy path, statement
 * key, field below it]`, or undefined when the path is not inside a policy statement.
 */
export function statementPath(
  path: string,
): { policy: string; statement: string; field: string } | undefined {
  const parts = path.split('.');
  const at = parts.lastIndexOf('Statement');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  return {
    policy: parts.slice(0, at).join('.'),
    statement: parts[at + 1] as string,
    field: parts.slice(at + 2).join('.'),
  };
}
