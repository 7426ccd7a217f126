import { describe, expect, it } from 'vitest';
import { diffPool } from '../../../lambda/core/diff.js';
import {
  classify,
  highestSeverity,
  type SeverityRule,
  severityRules,
} from '../../../lambda/core/severity.js';
import {
  type Change,
  type Finding,
  type JsonObject,
  type PoolSnapshot,
  Severity,
} from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import { POOL_ID, POOL_NAME } from '../../fixtures/cognito-responses.js';
import { clientSnapshot, poolSnapshot } from '../../fixtures/snapshots.js';

const SEVERITY_RULES = severityRules(CATALOG);

const CLIENT_ID = 'webclient000000000000000001';

/** Diffs a client config before/after inside an otherwise unchanged pool, and classifies the changes. */
function classifyClient(before: JsonObject, after: JsonObject): Finding[] {
  const baseline = poolSnapshot({}, [clientSnapshot(CLIENT_ID, before)]);
  const current = poolSnapshot({}, [clientSnapshot(CLIENT_ID, after)]);
  return classifyBetween(baseline, current);
}

function classifyPool(before: JsonObject, after: JsonObject): Finding[] {
  const baseline = poolSnapshot(before);
  const current = poolSnapshot(after);
  return classifyBetween(baseline, current);
}

/** Diffs two snapshots and classifies the changes, as a run does. */
function classifyBetween(
  baseline: PoolSnapshot | null,
  current: PoolSnapshot | null,
  rules: SeverityRule[] = SEVERITY_RULES,
): Finding[] {
  return classify(diffPool(baseline, current, CATALOG), { baseline, current }, rules);
}

/** `[path, severity, rule]` per finding: what a reviewer sees. */
function verdicts(findings: Finding[]): [string, Severity, string][] {
  return findings.map((f) => ['path' in f ? f.path : f.kind, f.severity, f.rule]);
}

const units = (access: string, id = 'hours', refresh = 'days') => ({
  AccessToken: access,
  IdToken: id,
  RefreshToken: refresh,
});

describe('classify', () => {
  describe('new-redirect-domain', () => {
    const before = {
      CallbackURLs: ['https://portal.example.com/auth/callback'],
      LogoutURLs: ['https://signout.example.com/'],
    };

    it('marks a callback URL on a host the client never used as HIGH', () => {
      const findings = classifyClient(before, {
        ...before,
        CallbackURLs: ['https://evil.example.net/callback', 'https://portal.example.com/auth/callback'],
      });

      expect(verdicts(findings)).toEqual([['CallbackURLs', Severity.HIGH, 'new-redirect-domain']]);
    });

    it('does not mark a new path on a host the client already used as HIGH', () => {
      const findings = classifyClient(before, {
        ...before,
        CallbackURLs: ['https://portal.example.com/auth/callback', 'https://portal.example.com/auth/silent'],
      });

      expect(verdicts(findings)).toEqual([['CallbackURLs', Severity.MEDIUM, 'default']]);
    });

    it('counts hosts from the logout URLs as known', () => {
      const findings = classifyClient(before, {
        ...before,
        CallbackURLs: ['https://portal.example.com/auth/callback', 'https://signout.example.com/cb'],
      });

      expect(verdicts(findings)).toEqual([['CallbackURLs', Severity.MEDIUM, 'default']]);
    });

    it('marks a logout URL on a new host as HIGH', () => {
      const findings = classifyClient(before, {
        ...before,
        LogoutURLs: ['https://signout.example.com/', 'https://elsewhere.example.org/'],
      });

      expect(verdicts(findings)).toEqual([['LogoutURLs', Severity.HIGH, 'new-redirect-domain']]);
    });

    it('marks a default redirect URI moved to a new host as HIGH', () => {
      const findings = classifyClient(
        { ...before, DefaultRedirectURI: 'https://portal.example.com/auth/callback' },
        { ...before, DefaultRedirectURI: 'https://attacker.example.io/cb' },
      );

      expect(verdicts(findings)).toEqual([['DefaultRedirectURI', Severity.HIGH, 'new-redirect-domain']]);
    });

    it('does not mark a removed callback URL as HIGH', () => {
      const findings = classifyClient(before, { ...before, CallbackURLs: [] });

      expect(verdicts(findings)).toEqual([['CallbackURLs', Severity.MEDIUM, 'default']]);
    });
  });

  describe('weak-auth-flow-enabled', () => {
    const before = { ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'] };

    it('marks ALLOW_USER_PASSWORD_AUTH added as HIGH', () => {
      const findings = classifyClient(before, {
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'],
      });

      expect(verdicts(findings)).toEqual([['ExplicitAuthFlows', Severity.HIGH, 'weak-auth-flow-enabled']]);
    });

    it('does not mark another flow added (ALLOW_CUSTOM_AUTH) as HIGH', () => {
      const findings = classifyClient(before, {
        ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
      });

      expect(verdicts(findings)).toEqual([['ExplicitAuthFlows', Severity.MEDIUM, 'default']]);
    });

    it('does not mark ALLOW_USER_PASSWORD_AUTH removed as HIGH', () => {
      const findings = classifyClient(
        { ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'] },
        { ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'] },
      );

      expect(verdicts(findings)).toEqual([['ExplicitAuthFlows', Severity.MEDIUM, 'default']]);
    });

    it('marks the OAuth implicit grant added as HIGH', () => {
      const findings = classifyClient(
        { AllowedOAuthFlows: ['code'] },
        { AllowedOAuthFlows: ['code', 'implicit'] },
      );

      expect(verdicts(findings)).toEqual([['AllowedOAuthFlows', Severity.HIGH, 'weak-auth-flow-enabled']]);
    });
  });

  describe('mfa-weakened', () => {
    it.each([
      ['ON', 'OPTIONAL'],
      ['ON', 'OFF'],
      ['OPTIONAL', 'OFF'],
    ])('marks MfaConfiguration %s -> %s as HIGH', (from, to) => {
      const findings = classifyPool({ MfaConfiguration: from }, { MfaConfiguration: to });

      expect(verdicts(findings)).toEqual([['MfaConfiguration', Severity.HIGH, 'mfa-weakened']]);
    });

    it.each([
      ['OFF', 'ON'],
      ['OPTIONAL', 'ON'],
      ['OFF', 'OPTIONAL'],
    ])('does not mark MfaConfiguration %s -> %s as HIGH', (from, to) => {
      const findings = classifyPool({ MfaConfiguration: from }, { MfaConfiguration: to });

      expect(verdicts(findings)).toEqual([['MfaConfiguration', Severity.MEDIUM, 'default']]);
    });
  });

  describe('token-validity-longer', () => {
    it('marks AccessTokenValidity 60 minutes -> 2 hours as HIGH (value and unit both changed)', () => {
      const findings = classifyClient(
        { AccessTokenValidity: 60, TokenValidityUnits: units('minutes') },
        { AccessTokenValidity: 2, TokenValidityUnits: units('hours') },
      );

      expect(verdicts(findings)).toEqual([
        ['AccessTokenValidity', Severity.HIGH, 'token-validity-longer'],
        ['TokenValidityUnits.AccessToken', Severity.HIGH, 'token-validity-longer'],
      ]);
    });

    it('does not mark AccessTokenValidity 1 hour -> 60 minutes as HIGH (same lifetime)', () => {
      const findings = classifyClient(
        { AccessTokenValidity: 1, TokenValidityUnits: units('hours') },
        { AccessTokenValidity: 60, TokenValidityUnits: units('minutes') },
      );

      expect(verdicts(findings)).toEqual([
        ['AccessTokenValidity', Severity.MEDIUM, 'default'],
        ['TokenValidityUnits.AccessToken', Severity.MEDIUM, 'default'],
      ]);
    });

    it('marks a unit change alone that lengthens the ID token (1 hour -> 1 day) as HIGH', () => {
      const findings = classifyClient(
        { IdTokenValidity: 1, TokenValidityUnits: units('hours', 'hours') },
        { IdTokenValidity: 1, TokenValidityUnits: units('hours', 'days') },
      );

      expect(verdicts(findings)).toEqual([
        ['TokenValidityUnits.IdToken', Severity.HIGH, 'token-validity-longer'],
      ]);
    });

    it('marks a longer refresh token (30 -> 90 days) as HIGH and a shorter one as MEDIUM', () => {
      const longer = classifyClient({ RefreshTokenValidity: 30 }, { RefreshTokenValidity: 90 });
      const shorter = classifyClient({ RefreshTokenValidity: 30 }, { RefreshTokenValidity: 7 });

      expect(verdicts(longer)).toEqual([['RefreshTokenValidity', Severity.HIGH, 'token-validity-longer']]);
      expect(verdicts(shorter)).toEqual([['RefreshTokenValidity', Severity.MEDIUM, 'default']]);
    });

    it('compares against the documented default (access token 1 hour) when a value was not set', () => {
      const longer = classifyClient({}, { AccessTokenValidity: 2 });
      const same = classifyClient({}, { AccessTokenValidity: 60, TokenValidityUnits: units('minutes') });

      expect(verdicts(longer)).toEqual([['AccessTokenValidity', Severity.HIGH, 'token-validity-longer']]);
      expect(same.every((f) => f.severity === Severity.MEDIUM)).toBe(true);
    });

    it('judges each token on its own: a shortened access token stays MEDIUM beside a longer refresh token', () => {
      const findings = classifyClient(
        { AccessTokenValidity: 2, RefreshTokenValidity: 30, TokenValidityUnits: units('hours') },
        { AccessTokenValidity: 1, RefreshTokenValidity: 90, TokenValidityUnits: units('hours') },
      );

      expect(verdicts(findings)).toEqual([
        ['AccessTokenValidity', Severity.MEDIUM, 'default'],
        ['RefreshTokenValidity', Severity.HIGH, 'token-validity-longer'],
      ]);
    });

    it('marks a longer AuthSessionValidity (3 -> 15 minutes) as HIGH', () => {
      const findings = classifyClient({ AuthSessionValidity: 3 }, { AuthSessionValidity: 15 });

      expect(verdicts(findings)).toEqual([['AuthSessionValidity', Severity.HIGH, 'token-validity-longer']]);
    });
  });

  describe('token-revocation-disabled', () => {
    it('marks EnableTokenRevocation true -> false as HIGH', () => {
      const findings = classifyClient({ EnableTokenRevocation: true }, { EnableTokenRevocation: false });

      expect(verdicts(findings)).toEqual([
        ['EnableTokenRevocation', Severity.HIGH, 'token-revocation-disabled'],
      ]);
    });

    it('does not mark EnableTokenRevocation false -> true as HIGH', () => {
      const findings = classifyClient({ EnableTokenRevocation: false }, { EnableTokenRevocation: true });

      expect(verdicts(findings)).toEqual([['EnableTokenRevocation', Severity.MEDIUM, 'default']]);
    });
  });

  describe('user-existence-errors-legacy', () => {
    it('marks PreventUserExistenceErrors ENABLED -> LEGACY as HIGH', () => {
      const findings = classifyClient(
        { PreventUserExistenceErrors: 'ENABLED' },
        { PreventUserExistenceErrors: 'LEGACY' },
      );

      expect(verdicts(findings)).toEqual([
        ['PreventUserExistenceErrors', Severity.HIGH, 'user-existence-errors-legacy'],
      ]);
    });

    it('does not mark PreventUserExistenceErrors LEGACY -> ENABLED as HIGH', () => {
      const findings = classifyClient(
        { PreventUserExistenceErrors: 'LEGACY' },
        { PreventUserExistenceErrors: 'ENABLED' },
      );

      expect(verdicts(findings)).toEqual([['PreventUserExistenceErrors', Severity.MEDIUM, 'default']]);
    });
  });

  describe('deletion-protection-off', () => {
    it('marks DeletionProtection ACTIVE -> INACTIVE as HIGH', () => {
      const findings = classifyPool({ DeletionProtection: 'ACTIVE' }, { DeletionProtection: 'INACTIVE' });

      expect(verdicts(findings)).toEqual([['DeletionProtection', Severity.HIGH, 'deletion-protection-off']]);
    });

    it('does not mark DeletionProtection INACTIVE -> ACTIVE as HIGH', () => {
      const findings = classifyPool({ DeletionProtection: 'INACTIVE' }, { DeletionProtection: 'ACTIVE' });

      expect(verdicts(findings)).toEqual([['DeletionProtection', Severity.MEDIUM, 'default']]);
    });
  });

  describe('lambda-trigger-changed', () => {
    const arn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

    it('marks a Lambda trigger added to a pool without triggers as HIGH', () => {
      const findings = classifyPool({}, { LambdaConfig: { PreTokenGeneration: arn('add-claims') } });

      expect(verdicts(findings)).toEqual([
        ['LambdaConfig.PreTokenGeneration', Severity.HIGH, 'lambda-trigger-changed'],
      ]);
    });

    it('marks a trigger pointed at another function as HIGH', () => {
      const findings = classifyPool(
        { LambdaConfig: { PreSignUp: arn('validate') } },
        { LambdaConfig: { PreSignUp: arn('auto-confirm') } },
      );

      expect(verdicts(findings)).toEqual([
        ['LambdaConfig.PreSignUp', Severity.HIGH, 'lambda-trigger-changed'],
      ]);
    });

    it('does not treat a client field named like LambdaConfig as a trigger', () => {
      const findings = classifyClient({}, { LambdaConfig: 'x' });

      expect(verdicts(findings)).toEqual([['LambdaConfig', Severity.MEDIUM, 'default']]);
    });
  });

  describe('self-sign-up-enabled', () => {
    it('marks AllowAdminCreateUserOnly true -> false as HIGH', () => {
      const findings = classifyPool(
        { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } },
        { AdminCreateUserConfig: { AllowAdminCreateUserOnly: false } },
      );

      expect(verdicts(findings)).toEqual([
        ['AdminCreateUserConfig.AllowAdminCreateUserOnly', Severity.HIGH, 'self-sign-up-enabled'],
      ]);
    });

    it('does not mark AllowAdminCreateUserOnly false -> true as HIGH', () => {
      const findings = classifyPool(
        { AdminCreateUserConfig: { AllowAdminCreateUserOnly: false } },
        { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } },
      );

      expect(verdicts(findings)).toEqual([
        ['AdminCreateUserConfig.AllowAdminCreateUserOnly', Severity.MEDIUM, 'default'],
      ]);
    });
  });

  describe('password-policy-weakened', () => {
    const policy = (p: JsonObject) => ({ Policies: { PasswordPolicy: p } });

    it.each([
      ['MinimumLength', { MinimumLength: 12 }, { MinimumLength: 8 }],
      ['RequireSymbols', { RequireSymbols: true }, { RequireSymbols: false }],
      ['RequireNumbers', { RequireNumbers: true }, {}],
      ['PasswordHistorySize', { PasswordHistorySize: 5 }, { PasswordHistorySize: 0 }],
      [
        'TemporaryPasswordValidityDays',
        { TemporaryPasswordValidityDays: 1 },
        { TemporaryPasswordValidityDays: 7 },
      ],
    ])('marks a weaker %s as HIGH', (field, before, after) => {
      const findings = classifyPool(policy(before), policy(after));

      expect(verdicts(findings)).toEqual([
        [`Policies.PasswordPolicy.${field}`, Severity.HIGH, 'password-policy-weakened'],
      ]);
    });

    it('does not mark a stronger policy as HIGH', () => {
      const findings = classifyPool(
        policy({ MinimumLength: 8, RequireSymbols: false }),
        policy({ MinimumLength: 14, RequireSymbols: true }),
      );

      expect(findings.map((f) => f.severity)).toEqual([Severity.MEDIUM, Severity.MEDIUM]);
    });
  });

  describe('secret-rotated', () => {
    it('marks a client secret added or removed as HIGH', () => {
      const baseline = poolSnapshot({}, [
        clientSnapshot(CLIENT_ID, {}, { secrets: { old: { createdAt: '2024-01-01T00:00:00.000Z' } } }),
      ]);
      const current = poolSnapshot({}, [
        clientSnapshot(CLIENT_ID, {}, { secrets: { new: { createdAt: '2025-01-01T00:00:00.000Z' } } }),
      ]);

      const findings = classifyBetween(baseline, current);

      expect(verdicts(findings)).toEqual([
        ['secret-added', Severity.HIGH, 'secret-rotated'],
        ['secret-removed', Severity.HIGH, 'secret-rotated'],
      ]);
    });
  });

  describe('resource-added-or-removed', () => {
    it('marks a pool created or deleted as HIGH', () => {
      const pool = poolSnapshot({});

      const added = classifyBetween(null, pool);
      const removed = classifyBetween(pool, null);

      expect(verdicts(added)).toEqual([['pool-added', Severity.HIGH, 'resource-added-or-removed']]);
      expect(verdicts(removed)).toEqual([['pool-removed', Severity.HIGH, 'resource-added-or-removed']]);
    });

    it('marks an app client created or deleted as HIGH', () => {
      const empty = poolSnapshot({});
      const withClient = poolSnapshot({}, [clientSnapshot(CLIENT_ID, {})]);

      const added = classifyBetween(empty, withClient);
      const removed = classifyBetween(withClient, empty);

      expect(verdicts(added)).toEqual([['client-added', Severity.HIGH, 'resource-added-or-removed']]);
      expect(verdicts(removed)).toEqual([['client-removed', Severity.HIGH, 'resource-added-or-removed']]);
    });
  });

  describe('cosmetic', () => {
    it.each([
      ['UserPoolTags', { UserPoolTags: { Team: 'a' } }, { UserPoolTags: { Team: 'b' } }, 'UserPoolTags.Team'],
      [
        'VerificationMessageTemplate',
        { VerificationMessageTemplate: { EmailSubject: 'Verify' } },
        { VerificationMessageTemplate: { EmailSubject: 'Please verify' } },
        'VerificationMessageTemplate.EmailSubject',
      ],
      [
        'InviteMessageTemplate',
        { AdminCreateUserConfig: { InviteMessageTemplate: { EmailSubject: 'Hi' } } },
        { AdminCreateUserConfig: { InviteMessageTemplate: { EmailSubject: 'Welcome' } } },
        'AdminCreateUserConfig.InviteMessageTemplate.EmailSubject',
      ],
      [
        'EmailVerificationSubject',
        { EmailVerificationSubject: 'a' },
        { EmailVerificationSubject: 'b' },
        'EmailVerificationSubject',
      ],
    ])('marks a %s change as LOW', (_name, before, after, path) => {
      const findings = classifyPool(before, after);

      expect(verdicts(findings)).toEqual([[path, Severity.LOW, 'cosmetic']]);
    });

    it('marks a client rename and an analytics setting as LOW', () => {
      const findings = classifyClient(
        { AnalyticsConfiguration: { UserDataShared: false }, ClientName: 'web' },
        { AnalyticsConfiguration: { UserDataShared: true }, ClientName: 'web-portal' },
      );

      expect(verdicts(findings)).toEqual([
        ['AnalyticsConfiguration.UserDataShared', Severity.LOW, 'cosmetic'],
        ['ClientName', Severity.LOW, 'cosmetic'],
      ]);
    });

    it('does not treat a sibling of a cosmetic prefix as cosmetic', () => {
      const findings = classifyPool(
        { AdminCreateUserConfig: { UnusedAccountValidityDays: 7 } },
        { AdminCreateUserConfig: { UnusedAccountValidityDays: 90 } },
      );

      expect(verdicts(findings)).toEqual([
        ['AdminCreateUserConfig.UnusedAccountValidityDays', Severity.MEDIUM, 'default'],
      ]);
    });
  });

  it('gives MEDIUM with rule "default" to a change no rule claims', () => {
    const findings = classifyPool(
      { Policies: { PasswordPolicy: { MinimumLength: 12 } } },
      { Policies: { PasswordPolicy: { MinimumLength: 14 } } },
    );

    expect(verdicts(findings)).toEqual([
      ['Policies.PasswordPolicy.MinimumLength', Severity.MEDIUM, 'default'],
    ]);
  });

  it('keeps every change, in order, with its fields, adding severity and rule', () => {
    const changes: Change[] = [
      {
        kind: 'field-changed',
        poolId: POOL_ID,
        poolName: POOL_NAME,
        path: 'Domain',
        before: 'a',
        after: 'b',
      },
      { kind: 'pool-removed', poolId: POOL_ID, poolName: POOL_NAME },
    ];

    const findings = classify(changes, { baseline: null, current: null }, SEVERITY_RULES);

    expect(findings).toEqual([
      { ...changes[0], severity: Severity.MEDIUM, rule: 'default' },
      { ...changes[1], severity: Severity.HIGH, rule: 'resource-added-or-removed' },
    ]);
  });

  it('uses the highest severity when several rules claim a change', () => {
    const rules: SeverityRule[] = [
      { name: 'low-one', description: '', evaluate: () => Severity.LOW },
      { name: 'high-one', description: '', evaluate: () => Severity.HIGH },
      { name: 'medium-one', description: '', evaluate: () => Severity.MEDIUM },
    ];
    const change: Change = { kind: 'pool-added', poolId: POOL_ID, poolName: POOL_NAME };

    const [finding] = classify([change], { baseline: null, current: null }, rules);

    expect(finding).toMatchObject({ severity: Severity.HIGH, rule: 'high-one' });
  });

  it('marks a change HIGH, naming the rule, when a rule throws, and classifies the others as usual', () => {
    const rules: SeverityRule[] = [
      {
        name: 'broken',
        description: 'throws on MFA changes',
        evaluate: (c) => {
          if ('path' in c && c.path === 'MfaConfiguration') throw new TypeError('boom');
          return undefined;
        },
      },
      ...SEVERITY_RULES,
    ];
    const baseline = poolSnapshot({ MfaConfiguration: 'OFF', UserPoolTags: { Team: 'a' } });
    const current = poolSnapshot({ MfaConfiguration: 'ON', UserPoolTags: { Team: 'b' } });

    const findings = classifyBetween(baseline, current, rules);

    expect(verdicts(findings)).toEqual([
      ['MfaConfiguration', Severity.HIGH, 'broken'],
      ['UserPoolTags.Team', Severity.LOW, 'cosmetic'],
    ]);
  });

  it('gives every built-in rule a unique name and a description', () => {
    const names = SEVERITY_RULES.map((r) => r.name);

    expect(new Set(names).size).toBe(names.length);
    expect(SEVERITY_RULES.every((r) => r.description.length > 0)).toBe(true);
  });
});

describe('highestSeverity', () => {
  it('returns undefined for no findings', () => {
    expect(highestSeverity([])).toBeUndefined();
  });

  it('returns the most severe level present', () => {
    expect(highestSeverity([{ severity: Severity.LOW }])).toBe(Severity.LOW);
    expect(highestSeverity([{ severity: Severity.LOW }, { severity: Severity.MEDIUM }])).toBe(
      Severity.MEDIUM,
    );
    expect(
      highestSeverity([
        { severity: Severity.LOW },
        { severity: Severity.HIGH },
        { severity: Severity.MEDIUM },
      ]),
    ).toBe(Severity.HIGH);
  });
});
