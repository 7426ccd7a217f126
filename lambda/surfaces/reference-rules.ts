import type { RuleContext, SeverityRule } from '../core/catalog.js';
import { type PolicyChange, statementPath, widensPolicy } from '../core/policy-document.js';
import type { Change, Json, JsonObject, PoolSnapshot } from '../core/types.js';
import { Severity } from '../core/types.js';

/**
 * Severity rules shared by the surfaces of what a pool points to (Lambda triggers, IAM roles, KMS
 * keys): a policy document that allows more is HIGH, any other change to one MEDIUM.
 */

/** The value at a dotted path whose keys may themselves hold dots (policy names, ARNs): longest key first. */
function valueAtDotted(root: Json | undefined, path: string): Json | undefined {
  if (path === '') return root;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return undefined;
  const parts = path.split('.');
  for (let n = parts.length; n >= 1; n--) {
    const key = parts.slice(0, n).join('.');
    if (key in root) {
      const found = valueAtDotted((root as JsonObject)[key], parts.slice(n).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function configOf(pool: PoolSnapshot | null, c: Change): JsonObject | undefined {
  if (!c.surface || !c.resourceId) return undefined;
  return pool?.surfaces?.[c.surface]?.[c.resourceId]?.config;
}

/**
 * Whether a change of a reference surface's resource widens one of its policy documents, whose
 * paths start with one of `policies` (`TrustPolicy`, `InlinePolicies`): a widening change inside a
 * statement, or a whole policy document added to the resource.
 */
export function widensPolicyOf(c: Change, ctx: RuleContext, policies: readonly string[]): boolean {
  if (c.kind !== 'field-changed' && c.kind !== 'list-changed') return false;
  if (!policies.some((p) => c.path === p || c.path.startsWith(`${p}.`))) return false;
  const at = statementPath(c.path);
  if (!at) return c.kind === 'field-changed' && c.before === undefined && c.after !== undefined;
  const effectAt = (pool: PoolSnapshot | null) =>
    valueAtDotted(configOf(pool, c), `${at.policy}.Statement.${at.statement}.Effect`);
  const effect = effectAt(ctx.current) ?? effectAt(ctx.baseline);
  const change: PolicyChange =
    c.kind === 'list-changed'
      ? { kind: 'list-changed', added: c.added, removed: c.removed }
      : { kind: 'field-changed', before: c.before, after: c.after };
  return widensPolicy(change, at.field, effect);
}

/**
 * The rule of one reference surface's policy documents: HIGH when a change widens one (see
 * `widensPolicy`), MEDIUM for any other change to them.
 */
export function policyRule(spec: {
  surface: string;
  name: string;
  description: string;
  policies: readonly string[];
}): SeverityRule {
  return {
    name: spec.name,
    description: spec.description,
    evaluate: (c, ctx) => {
      if (c.surface !== spec.surface || !('path' in c)) return undefined;
      if (!spec.policies.some((p) => c.path === p || c.path.startsWith(`${p}.`))) return undefined;
      return widensPolicyOf(c, ctx, spec.policies) ? Severity.HIGH : Severity.MEDIUM;
    },
  };
}

/** A rule: any change at (or below) one of `paths` of the surface's resources has `severity`. */
export function fieldRule(spec: {
  surface: string;
  name: string;
  description: string;
  paths: readonly string[];
  severity: Severity;
}): SeverityRule {
  return {
    name: spec.name,
    description: spec.description,
    evaluate: (c) =>
      c.surface === spec.surface &&
      'path' in c &&
      spec.paths.some((p) => c.path === p || c.path.startsWith(`${p}.`))
        ? spec.severity
        : undefined,
  };
}
