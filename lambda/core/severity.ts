import type { RuleContext, SeverityRule, SurfaceCatalog } from './catalog.js';
import type { Change, ClientSnapshot, Finding, Json, JsonObject, PoolSnapshot } from './types.js';
import { SEVERITY_ORDER, Severity } from './types.js';

export type { RuleContext, SeverityRule } from './catalog.js';

/** Each token's validity field and what Cognito uses when the client leaves it unset. */
export const TOKEN_DEFAULTS = {
  AccessToken: { field: 'AccessTokenValidity', unit: 'hours', value: 1 },
  IdToken: { field: 'IdTokenValidity', unit: 'hours', value: 1 },
  RefreshToken: { field: 'RefreshTokenValidity', unit: 'days', value: 30 },
} as const;
const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };
const WEAK_AUTH_FLOWS = new Set(['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH']);
const MFA_STRENGTH: Record<string, number> = { OFF: 0, OPTIONAL: 1, ON: 2 };
const PASSWORD_POLICY = 'Policies.PasswordPolicy.';
const COSMETIC_PREFIXES = [
  'VerificationMessageTemplate',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'SmsVerificationMessage',
  'SmsAuthenticationMessage',
  'AdminCreateUserConfig.InviteMessageTemplate',
  'UserPoolTags',
  'ClientName',
  'AnalyticsConfiguration',
  'IdentityPoolTags',
];

const isClientField = (change: Change, ...paths: string[]) =>
  change.clientId !== undefined &&
  change.surface === undefined &&
  'path' in change &&
  paths.includes(change.path);
/** A setting of the pool itself (not of a client, and not of a surface such as a group). */
const isPoolLevel = (change: Change) => change.clientId === undefined && change.surface === undefined;
const isPoolField = (change: Change, ...paths: string[]) =>
  isPoolLevel(change) && 'path' in change && paths.includes(change.path);
const SECURITY_MODE_STRENGTH: Record<string, number> = { OFF: 0, AUDIT: 1, ENFORCED: 2 };

/**
 * The severity rules of user pools and app clients, in one readable place. HIGH marks changes that
 * can weaken security; the highest severity any rule gives a change wins, and a change no rule
 * claims is MEDIUM. Every other kind declares its rules in its catalog entry: see {@link severityRules}.
 */
export const CORE_RULES: readonly SeverityRule[] = [
  {
    name: 'resource-added-or-removed',
    description: 'A pool or app client was created or deleted',
    evaluate: (c) =>
      ['pool-added', 'pool-removed', 'client-added', 'client-removed'].includes(c.kind)
        ? Severity.HIGH
        : undefined,
  },
  {
    name: 'renamed-into-ignore-rule',
    description: 'A pool or app client was renamed so that an ignore rule now matches it',
    evaluate: (c) => (c.kind === 'now-ignored' ? Severity.HIGH : undefined),
  },
  {
    name: 'secret-rotated',
    description: 'A client secret was added or removed',
    evaluate: (c) => (c.kind === 'secret-added' || c.kind === 'secret-removed' ? Severity.HIGH : undefined),
  },
  {
    name: 'new-redirect-domain',
    description: 'A callback, logout or default redirect URL on a host the client did not use before',
    evaluate: (c, ctx) => {
      if (!isClientField(c, 'CallbackURLs', 'LogoutURLs', 'DefaultRedirectURI')) return undefined;
      const before = clientOf(ctx.baseline, c.clientId);
      const knownHosts = new Set(
        ['CallbackURLs', 'LogoutURLs', 'DefaultRedirectURI'].flatMap((f) =>
          strings(before?.config[f]).map(hostOf),
        ),
      );
      const added = c.kind === 'list-changed' ? c.added : c.kind === 'field-changed' ? [c.after] : [];
      return strings(added).some((url) => !knownHosts.has(hostOf(url))) ? Severity.HIGH : undefined;
    },
  },
  {
    name: 'weak-auth-flow-enabled',
    description: 'ALLOW_USER_PASSWORD_AUTH or the OAuth implicit grant was enabled',
    evaluate: (c) => {
      if (c.kind !== 'list-changed' || c.clientId === undefined) return undefined;
      if (c.path === 'ExplicitAuthFlows' && strings(c.added).some((f) => WEAK_AUTH_FLOWS.has(f)))
        return Severity.HIGH;
      if (c.path === 'AllowedOAuthFlows' && strings(c.added).includes('implicit')) return Severity.HIGH;
      return undefined;
    },
  },
  {
    name: 'mfa-weakened',
    description: 'MFA was turned off or made optional',
    evaluate: (c) => {
      if (c.kind !== 'field-changed' || !isPoolField(c, 'MfaConfiguration')) return undefined;
      const before = MFA_STRENGTH[String(c.before ?? 'OFF')] ?? 0;
      const after = MFA_STRENGTH[String(c.after ?? 'OFF')] ?? 0;
      return after < before ? Severity.HIGH : undefined;
    },
  },
  {
    name: 'token-validity-longer',
    description: 'An access, ID or refresh token, or the auth session, now lives longer',
    evaluate: (c, ctx) => {
      if (c.clientId === undefined || !('path' in c)) return undefined;
      // Judge only the token this change is about, so a shortened token is not marked HIGH
      // because another one got longer in the same run.
      const tokens = (Object.keys(TOKEN_DEFAULTS) as TokenKind[]).filter(
        (t) =>
          c.path === TOKEN_DEFAULTS[t].field ||
          c.path === `TokenValidityUnits.${t}` ||
          c.path === 'TokenValidityUnits',
      );
      const session = c.path === 'AuthSessionValidity';
      if (tokens.length === 0 && !session) return undefined;
      const before = clientOf(ctx.baseline, c.clientId);
      const after = clientOf(ctx.current, c.clientId);
      if (!before || !after) return undefined;
      const longer =
        tokens.some((t) => tokenSeconds(after.config, t) > tokenSeconds(before.config, t)) ||
        (session && num(after.config.AuthSessionValidity, 3) > num(before.config.AuthSessionValidity, 3));
      return longer ? Severity.HIGH : undefined;
    },
  },
  {
    name: 'token-revocation-disabled',
    description: 'Refresh-token revocation was disabled',
    evaluate: (c) =>
      c.kind === 'field-changed' &&
      isClientField(c, 'EnableTokenRevocation') &&
      c.after !== true &&
      c.before === true
        ? Severity.HIGH
        : undefined,
  },
  {
    name: 'user-existence-errors-legacy',
    description: 'PreventUserExistenceErrors set to LEGACY (user enumeration possible)',
    evaluate: (c) =>
      c.kind === 'field-changed' && isClientField(c, 'PreventUserExistenceErrors') && c.after === 'LEGACY'
        ? Severity.HIGH
        : undefined,
  },
  {
    name: 'deletion-protection-off',
    description: 'Deletion protection was turned off',
    evaluate: (c) =>
      c.kind === 'field-changed' &&
      isPoolField(c, 'DeletionProtection') &&
      c.before === 'ACTIVE' &&
      c.after !== 'ACTIVE'
        ? Severity.HIGH
        : undefined,
  },
  {
    name: 'lambda-trigger-changed',
    description: 'A Lambda trigger was added, changed or removed',
    evaluate: (c) =>
      isPoolLevel(c) && 'path' in c && c.path.startsWith('LambdaConfig') ? Severity.HIGH : undefined,
  },
  {
    name: 'self-sign-up-enabled',
    description: 'Anyone can now sign up (AllowAdminCreateUserOnly turned off)',
    evaluate: (c) =>
      c.kind === 'field-changed' &&
      isPoolField(c, 'AdminCreateUserConfig.AllowAdminCreateUserOnly') &&
      c.before === true &&
      c.after !== true
        ? Severity.HIGH
        : undefined,
  },
  {
    name: 'password-policy-weakened',
    description:
      'Shorter passwords, a character class no longer required, less history, or longer temporary passwords',
    evaluate: (c) => {
      if (c.kind !== 'field-changed' || !isPoolLevel(c)) return undefined;
      const field = c.path.startsWith(PASSWORD_POLICY) ? c.path.slice(PASSWORD_POLICY.length) : undefined;
      if (field === undefined) return undefined;
      const weaker =
        (field === 'MinimumLength' && num(c.after, 8) < num(c.before, 8)) ||
        (field === 'PasswordHistorySize' && num(c.after, 0) < num(c.before, 0)) ||
        (field === 'TemporaryPasswordValidityDays' && num(c.after, 7) > num(c.before, 7)) ||
        (field.startsWith('Require') && c.before === true && c.after !== true);
      return weaker ? Severity.HIGH : undefined;
    },
  },
  {
    name: 'secret-lifecycle',
    description:
      'A client secret rotation left unfinished past the window, or a secret older than the maximum age',
    evaluate: (c) => (c.kind === 'secret-lifecycle' ? Severity.MEDIUM : undefined),
  },
  {
    name: 'threat-protection-mode-lowered',
    description: 'Threat protection (advanced security) mode lowered: ENFORCED to AUDIT or OFF, AUDIT to OFF',
    evaluate: (c) => {
      if (c.kind !== 'field-changed' || !isPoolField(c, 'UserPoolAddOns.AdvancedSecurityMode'))
        return undefined;
      const strength = (v: Json | undefined) => SECURITY_MODE_STRENGTH[String(v ?? 'OFF')] ?? 0;
      return strength(c.after) < strength(c.before) ? Severity.HIGH : undefined;
    },
  },
];

/** Rules that apply to every kind, after the kinds' own. */
const SHARED_RULES: readonly SeverityRule[] = [
  {
    name: 'cosmetic',
    description: 'Message templates, tags, names and analytics settings',
    evaluate: (c) =>
      'path' in c && COSMETIC_PREFIXES.some((p) => c.path === p || c.path.startsWith(`${p}.`))
        ? Severity.LOW
        : undefined,
  },
];

/** Every severity rule: the pool's and clients', each catalog entry's, then the shared ones. */
export function severityRules(catalog: SurfaceCatalog): SeverityRule[] {
  return [...CORE_RULES, ...catalog.entries.flatMap((e) => e.rules), ...SHARED_RULES];
}

/**
 * Gives each change the highest severity any rule assigns (MEDIUM when none does). A rule that
 * throws does not crash the run: the change is marked HIGH so a person looks at it.
 */
export function classify(
  changes: readonly Change[],
  ctx: RuleContext,
  rules: readonly SeverityRule[],
): Finding[] {
  return changes.map((change) => {
    let best: { severity: Severity; rule: string } | undefined;
    for (const rule of rules) {
      let severity: Severity | undefined;
      try {
        severity = rule.evaluate(change, ctx);
      } catch {
        severity = Severity.HIGH;
      }
      if (severity && (!best || rank(severity) < rank(best.severity))) best = { severity, rule: rule.name };
    }
    // Not `{ ...change, ...best }`: V8 gives each object cloned by a leading spread a hidden class
    // of its own (about 0.5 KB), and a run keeps every finding until it ends. Assigned onto `{}`,
    // findings of one shape share theirs.
    return Object.assign({}, change, best ?? { severity: Severity.MEDIUM, rule: 'default' });
  });
}

/** The most severe of the findings, or undefined for none. */
export function highestSeverity(findings: readonly { severity: Severity }[]): Severity | undefined {
  return SEVERITY_ORDER.find((s) => findings.some((f) => f.severity === s));
}

function rank(severity: Severity): number {
  return SEVERITY_ORDER.indexOf(severity);
}

type TokenKind = keyof typeof TOKEN_DEFAULTS;

function tokenSeconds(config: JsonObject, token: TokenKind): number {
  const spec = TOKEN_DEFAULTS[token];
  const units = config.TokenValidityUnits as JsonObject | undefined;
  const unit = typeof units?.[token] === 'string' ? (units[token] as string) : spec.unit;
  return num(config[spec.field], spec.value) * (UNIT_SECONDS[unit] ?? 1);
}

function num(value: Json | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function strings(value: Json | undefined | (Json | undefined)[]): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}

function clientOf(pool: PoolSnapshot | null, clientId: string | undefined): ClientSnapshot | undefined {
  return clientId === undefined ? undefined : pool?.clients[clientId];
}
