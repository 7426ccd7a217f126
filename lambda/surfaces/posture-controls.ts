import type { PostureControl } from '../core/posture.js';
import { type Json, type JsonObject, type PoolSnapshot, Severity } from '../core/types.js';
import { riskConfigurationSurface } from './risk-configuration.js';
import { POOL_RESOURCE } from './surface.js';
import { webAclSurface } from './web-acl.js';

/**
 * THE posture table: every public control cognito-drift checks, with its source, title and
 * severity as published (Security Hub's "Security Hub CSPM controls for Amazon Cognito" page and
 * Prowler's check metadata, both list every Cognito control as Medium), and its predicate over the
 * normalized snapshot. docs/posture.md lists the same rows (a test compares them).
 *
 * Where a source's check reads a field the API may omit, the API's documented default is used
 * (an absent `EventFilter` means every event; an absent temporary-password validity is 7 days).
 */

const SECURITY_HUB = 'https://docs.aws.amazon.com/securityhub/latest/userguide/cognito-controls.html';
const securityHub = (n: number) => `${SECURITY_HUB}#cognito-${n}`;
const prowler = (id: string) => `https://hub.prowler.com/check/${id}`;

/** The value at a dotted path of a normalized configuration. */
function at(config: JsonObject | undefined, path: string): Json | undefined {
  let value: Json | undefined = config;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = value[key];
  }
  return value;
}

const text = (value: Json | undefined, absent: string) => (value === undefined ? absent : String(value));

/** The pool's threat-protection mode for standard authentication (absent: OFF). */
const securityMode = (config: JsonObject) => text(at(config, 'UserPoolAddOns.AdvancedSecurityMode'), 'OFF');

function notEnforced(config: JsonObject): string | undefined {
  const mode = securityMode(config);
  if (mode === 'ENFORCED') return undefined;
  return mode === 'AUDIT'
    ? 'threat protection is audit-only (AdvancedSecurityMode AUDIT)'
    : `threat protection is off (AdvancedSecurityMode ${mode})`;
}

/** The pool's own threat-protection configuration; undefined when the surface is not watched. */
function poolRiskConfiguration(pool: PoolSnapshot): { config: JsonObject | undefined } | undefined {
  const surface = pool.surfaces?.[riskConfigurationSurface.name];
  return surface ? { config: surface[POOL_RESOURCE]?.config } : undefined;
}

type PasswordPolicy = JsonObject | undefined;
const passwordPolicy = (config: JsonObject): PasswordPolicy => {
  const policy = at(config, 'Policies.PasswordPolicy');
  return policy !== null && typeof policy === 'object' && !Array.isArray(policy) ? policy : undefined;
};

const CHARACTER_CLASSES = [
  { field: 'RequireLowercase', what: 'lowercase letters', check: 'lowercase' },
  { field: 'RequireUppercase', what: 'uppercase letters', check: 'uppercase' },
  { field: 'RequireNumbers', what: 'numbers', check: 'number' },
  { field: 'RequireSymbols', what: 'symbols', check: 'symbol' },
] as const;

/** Cognito's default validity of a temporary password, in days (applied when the field is absent). */
const DEFAULT_TEMPORARY_PASSWORD_DAYS = 7;
const temporaryDays = (policy: JsonObject) => {
  const days = policy.TemporaryPasswordValidityDays;
  return typeof days === 'number' ? days : DEFAULT_TEMPORARY_PASSWORD_DAYS;
};
const minimumLength = (policy: JsonObject) =>
  typeof policy.MinimumLength === 'number' ? policy.MinimumLength : 0;

/** Cognito.3's parts with Security Hub's default parameters (length 8, all classes, 7 days). */
function weakPasswordPolicy(config: JsonObject): string | undefined {
  const policy = passwordPolicy(config);
  if (!policy) return 'no password policy';
  const parts: string[] = [];
  if (minimumLength(policy) < 8) parts.push(`MinimumLength ${text(policy.MinimumLength, 'unset')} (below 8)`);
  for (const c of CHARACTER_CLASSES) if (policy[c.field] !== true) parts.push(`${c.what} not required`);
  if (temporaryDays(policy) > 7)
    parts.push(`temporary passwords valid ${temporaryDays(policy)} days (more than 7)`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function characterClassControl(c: (typeof CHARACTER_CLASSES)[number]): PostureControl {
  const id = `cognito_user_pool_password_policy_${c.check}`;
  return {
    id,
    source: 'Prowler',
    title: `Cognito user pool password policy requires at least one ${c.check === 'number' ? 'number' : c.check === 'symbol' ? 'symbol' : `${c.check} letter`}`,
    severity: Severity.MEDIUM,
    url: prowler(id),
    scope: 'user-pool',
    fails: `no password policy, or \`${c.field}\` not true`,
    check: (config) => {
      const policy = passwordPolicy(config);
      if (!policy) return 'no password policy';
      return policy[c.field] === true ? undefined : `${c.what} not required (${c.field} false)`;
    },
  };
}

const ATO_LEVELS = ['LowAction', 'MediumAction', 'HighAction'] as const;

export const POSTURE_CONTROLS: readonly PostureControl[] = [
  {
    id: 'Cognito.1',
    alsoKnownAs: ['cognito_user_pool_advanced_security_enabled'],
    source: 'Security Hub',
    title:
      'Cognito user pools should have threat protection activated with full function enforcement mode for standard authentication',
    severity: Severity.MEDIUM,
    url: securityHub(1),
    scope: 'user-pool',
    fails: '`UserPoolAddOns.AdvancedSecurityMode` is not `ENFORCED` (OFF, AUDIT or absent)',
    check: notEnforced,
  },
  {
    id: 'Cognito.2',
    alsoKnownAs: ['cognito_identity_pool_guest_access_disabled'],
    source: 'Security Hub',
    title: 'Cognito identity pools should not allow unauthenticated identities',
    severity: Severity.MEDIUM,
    url: securityHub(2),
    scope: 'identity-pool',
    fails: '`AllowUnauthenticatedIdentities` is true (guest access)',
    check: (config) =>
      config.AllowUnauthenticatedIdentities === true
        ? 'guest access is on (AllowUnauthenticatedIdentities true)'
        : undefined,
  },
  {
    id: 'Cognito.3',
    source: 'Security Hub',
    title: 'Password policies for Cognito user pools should have strong configurations',
    severity: Severity.MEDIUM,
    url: securityHub(3),
    scope: 'user-pool',
    fails:
      'with the default parameters: no password policy, `MinimumLength` below 8, any of `RequireLowercase`, `RequireUppercase`, `RequireNumbers`, `RequireSymbols` not true, or `TemporaryPasswordValidityDays` above 7',
    check: weakPasswordPolicy,
  },
  {
    id: 'Cognito.4',
    source: 'Security Hub',
    title:
      'Cognito user pools should have threat protection activated with full function enforcement mode for custom authentication',
    severity: Severity.MEDIUM,
    url: securityHub(4),
    scope: 'user-pool',
    fails:
      'threat protection not `ENFORCED`, or `UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode` not `ENFORCED`',
    check: (config) => {
      const standard = notEnforced(config);
      if (standard) return standard;
      const custom = at(config, 'UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode');
      return custom === 'ENFORCED'
        ? undefined
        : `threat protection for custom authentication is ${custom === 'AUDIT' ? 'audit-only' : 'not set'} (CustomAuthMode ${text(custom, 'absent')})`;
    },
  },
  {
    id: 'Cognito.5',
    source: 'Security Hub',
    title: 'MFA should be enabled for Cognito user pools',
    severity: Severity.MEDIUM,
    url: securityHub(5),
    scope: 'user-pool',
    fails:
      "a password-only pool (`Policies.SignInPolicy.AllowedFirstAuthFactors` absent or only `PASSWORD`) with `MfaConfiguration` `OFF` or absent; `OPTIONAL` counts as enabled here (Prowler's MFA check does not)",
    check: (config) => {
      const factors = at(config, 'Policies.SignInPolicy.AllowedFirstAuthFactors');
      const passwordOnly = !Array.isArray(factors) || factors.every((f) => f === 'PASSWORD');
      const mfa = text(config.MfaConfiguration, 'OFF');
      return passwordOnly && mfa === 'OFF'
        ? 'MFA is off on a password-only pool (MfaConfiguration OFF)'
        : undefined;
    },
  },
  {
    id: 'Cognito.6',
    alsoKnownAs: ['cognito_user_pool_deletion_protection_enabled'],
    source: 'Security Hub',
    title: 'Cognito user pools should have deletion protection enabled',
    severity: Severity.MEDIUM,
    url: securityHub(6),
    scope: 'user-pool',
    fails: '`DeletionProtection` is not `ACTIVE`',
    check: (config) =>
      config.DeletionProtection === 'ACTIVE'
        ? undefined
        : `deletion protection is off (DeletionProtection ${text(config.DeletionProtection, 'absent')})`,
  },
  {
    id: 'cognito_user_pool_blocks_compromised_credentials_sign_in_attempts',
    source: 'Prowler',
    title: 'Cognito user pool blocks sign-in attempts with suspected compromised credentials',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_blocks_compromised_credentials_sign_in_attempts'),
    scope: 'user-pool',
    fails:
      "threat protection not `ENFORCED`, or the pool's compromised-credentials action is not `BLOCK` for sign-in (an absent `EventFilter` means every event); needs the `riskConfiguration` surface",
    check: (config, pool) => {
      const standard = notEnforced(config);
      if (standard) return standard;
      const risk = poolRiskConfiguration(pool);
      if (!risk) return undefined;
      const filter = at(risk.config, 'CompromisedCredentialsRiskConfiguration.EventFilter');
      const action = at(risk.config, 'CompromisedCredentialsRiskConfiguration.Actions.EventAction');
      if (Array.isArray(filter) && !filter.includes('SIGN_IN'))
        return 'compromised credentials are not checked at sign-in (EventFilter without SIGN_IN)';
      return action === 'BLOCK'
        ? undefined
        : `compromised credentials at sign-in: ${text(action, 'no action')}`;
    },
  },
  {
    id: 'cognito_user_pool_blocks_potential_malicious_sign_in_attempts',
    source: 'Prowler',
    title: 'Amazon Cognito user pool blocks all potential malicious sign-in attempts',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_blocks_potential_malicious_sign_in_attempts'),
    scope: 'user-pool',
    fails:
      'threat protection not `ENFORCED`, or any account-takeover action (low, medium, high risk) is not `BLOCK`; needs the `riskConfiguration` surface',
    check: (config, pool) => {
      const standard = notEnforced(config);
      if (standard) return standard;
      const risk = poolRiskConfiguration(pool);
      if (!risk) return undefined;
      const weak = ATO_LEVELS.filter(
        (level) =>
          at(risk.config, `AccountTakeoverRiskConfiguration.Actions.${level}.EventAction`) !== 'BLOCK',
      );
      return weak.length === 0 ? undefined : `account-takeover risk not blocked at ${weak.join(', ')}`;
    },
  },
  {
    id: 'cognito_user_pool_client_prevent_user_existence_errors',
    source: 'Prowler',
    title: 'Amazon Cognito user pool client has Prevent User Existence Errors enabled',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_client_prevent_user_existence_errors'),
    scope: 'client',
    fails: "the client's `PreventUserExistenceErrors` is not `ENABLED`",
    check: (config) =>
      config.PreventUserExistenceErrors === 'ENABLED'
        ? undefined
        : `sign-in errors reveal whether a user exists (PreventUserExistenceErrors ${text(config.PreventUserExistenceErrors, 'absent')})`,
  },
  {
    id: 'cognito_user_pool_client_token_revocation_enabled',
    source: 'Prowler',
    title: 'Amazon Cognito user pool client has token revocation enabled',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_client_token_revocation_enabled'),
    scope: 'client',
    fails: "the client's `EnableTokenRevocation` is not true",
    check: (config) =>
      config.EnableTokenRevocation === true
        ? undefined
        : `refresh tokens cannot be revoked (EnableTokenRevocation ${text(config.EnableTokenRevocation, 'absent')})`,
  },
  {
    id: 'cognito_user_pool_mfa_enabled',
    source: 'Prowler',
    title: 'Amazon Cognito user pool requires Multi-Factor Authentication (MFA)',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_mfa_enabled'),
    scope: 'user-pool',
    fails: '`MfaConfiguration` is not `ON` (`OPTIONAL` fails too)',
    check: (config) =>
      config.MfaConfiguration === 'ON'
        ? undefined
        : `MFA is not required (MfaConfiguration ${text(config.MfaConfiguration, 'OFF')})`,
  },
  ...CHARACTER_CLASSES.map(characterClassControl),
  {
    id: 'cognito_user_pool_password_policy_minimum_length_14',
    source: 'Prowler',
    title: 'Cognito user pool has a password policy with a minimum length of 14 characters or more',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_password_policy_minimum_length_14'),
    scope: 'user-pool',
    fails: 'no password policy, or `MinimumLength` below 14',
    check: (config) => {
      const policy = passwordPolicy(config);
      if (!policy) return 'no password policy';
      return minimumLength(policy) >= 14
        ? undefined
        : `passwords may be shorter than 14 characters (MinimumLength ${text(policy.MinimumLength, 'unset')})`;
    },
  },
  {
    id: 'cognito_user_pool_self_registration_disabled',
    source: 'Prowler',
    title: 'Amazon Cognito user pool has self registration disabled',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_self_registration_disabled'),
    scope: 'user-pool',
    fails: '`AdminCreateUserConfig.AllowAdminCreateUserOnly` is not true (anyone can sign up)',
    check: (config) =>
      at(config, 'AdminCreateUserConfig.AllowAdminCreateUserOnly') === true
        ? undefined
        : 'anyone can sign up (AllowAdminCreateUserOnly false)',
  },
  {
    id: 'cognito_user_pool_temporary_password_expiration',
    source: 'Prowler',
    title: 'Cognito user pool has temporary password expiration set to 7 days or less',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_temporary_password_expiration'),
    scope: 'user-pool',
    fails: "no password policy, or `TemporaryPasswordValidityDays` above 7 (absent: Cognito's default, 7)",
    check: (config) => {
      const policy = passwordPolicy(config);
      if (!policy) return 'no password policy';
      const days = temporaryDays(policy);
      return days <= 7 ? undefined : `temporary passwords stay valid ${days} days`;
    },
  },
  {
    id: 'cognito_user_pool_waf_acl_attached',
    source: 'Prowler',
    title: 'Amazon Cognito user pool is associated with a WAF Web ACL',
    severity: Severity.MEDIUM,
    url: prowler('cognito_user_pool_waf_acl_attached'),
    scope: 'user-pool',
    fails: 'no web ACL is associated with the pool; needs the `waf` surface',
    check: (_config, pool) => {
      const waf = pool.surfaces?.[webAclSurface.name];
      if (!waf) return undefined;
      return Object.keys(waf).length > 0 ? undefined : 'no AWS WAF web ACL is associated';
    },
  },
];

/** The control (or its twin) named `id`, if cognito-drift checks it. */
export function controlNamed(id: string): PostureControl | undefined {
  return POSTURE_CONTROLS.find((c) => c.id === id || c.alsoKnownAs?.includes(id));
}
