import { describe, expect, it } from 'vitest';
import {
  countPosture,
  newlyRisky,
  type PostureControl,
  postureOf,
  summarizePosture,
} from '../../../lambda/core/posture.js';
import { type JsonObject, type PoolSnapshot, Severity } from '../../../lambda/core/types.js';
import { POSTURE_CONTROLS } from '../../../lambda/surfaces/posture-controls.js';

/**
 * One row per control of the posture table: a pool that violates it (with the reason expected,
 * written by hand) and pools that do not. Every other setting of the pools passes every control.
 */

const POOL_ID = 'us-east-1_Safe00001';
const IDENTITY_POOL_ID = 'us-east-1:0f1e2d3c-1111-4222-8333-444455556666';
const CLIENT_ID = '1example23456789webclient';

/** A normalized user pool that passes every control. */
function safePool(): PoolSnapshot {
  return {
    poolId: POOL_ID,
    poolName: 'customers',
    config: {
      DeletionProtection: 'ACTIVE',
      MfaConfiguration: 'ON',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        },
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
      },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UserPoolAddOns: {
        AdvancedSecurityMode: 'ENFORCED',
        AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'ENFORCED' },
      },
    },
    clients: {
      [CLIENT_ID]: {
        clientId: CLIENT_ID,
        clientName: 'web',
        config: { PreventUserExistenceErrors: 'ENABLED', EnableTokenRevocation: true },
        secrets: {},
      },
    },
    surfaces: {
      riskConfiguration: {
        pool: {
          name: 'pool',
          config: {
            CompromisedCredentialsRiskConfiguration: {
              EventFilter: ['PASSWORD_CHANGE', 'SIGN_IN', 'SIGN_UP'],
              Actions: { EventAction: 'BLOCK' },
            },
            AccountTakeoverRiskConfiguration: {
              Actions: {
                LowAction: { EventAction: 'BLOCK', Notify: true },
                MediumAction: { EventAction: 'BLOCK', Notify: true },
                HighAction: { EventAction: 'BLOCK', Notify: true },
              },
            },
          },
        },
      },
      waf: {
        pool: {
          name: 'cognito-protection',
          config: {
            ARN: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/cognito-protection/1',
            Name: 'cognito-protection',
          },
        },
      },
    },
  };
}

function safeIdentityPool(): PoolSnapshot {
  return {
    poolId: IDENTITY_POOL_ID,
    poolName: 'mobile',
    config: { AllowUnauthenticatedIdentities: false, AllowClassicFlow: false },
    clients: {},
  };
}

type Edit = (pool: PoolSnapshot) => void;
const poolConfig = (pool: PoolSnapshot) => pool.config;
const passwordPolicy = (pool: PoolSnapshot) =>
  (pool.config.Policies as JsonObject).PasswordPolicy as JsonObject;
const addOns = (pool: PoolSnapshot) => pool.config.UserPoolAddOns as JsonObject;
const client = (pool: PoolSnapshot) => pool.clients[CLIENT_ID]?.config as JsonObject;
const risk = (pool: PoolSnapshot) => pool.surfaces?.riskConfiguration?.pool?.config as JsonObject;
const ato = (pool: PoolSnapshot) =>
  (risk(pool).AccountTakeoverRiskConfiguration as JsonObject).Actions as JsonObject;

interface Row {
  control: string;
  identity?: boolean;
  /** Makes the safe pool violate the control. */
  violate: Edit;
  /** The reason expected for it. */
  detail: string;
  /** Other pools that pass it (each applied to a fresh safe pool). */
  passes?: Edit[];
}

const ROWS: Row[] = [
  {
    control: 'Cognito.1',
    violate: (p) => {
      addOns(p).AdvancedSecurityMode = 'AUDIT';
    },
    detail: 'threat protection is audit-only (AdvancedSecurityMode AUDIT)',
  },
  {
    control: 'Cognito.2',
    identity: true,
    violate: (p) => {
      p.config.AllowUnauthenticatedIdentities = true;
    },
    detail: 'guest access is on (AllowUnauthenticatedIdentities true)',
    passes: [
      (p) => {
        delete p.config.AllowUnauthenticatedIdentities;
      },
    ],
  },
  {
    control: 'Cognito.3',
    violate: (p) => {
      passwordPolicy(p).MinimumLength = 6;
      passwordPolicy(p).RequireSymbols = false;
    },
    detail: 'MinimumLength 6 (below 8), symbols not required',
    passes: [
      (p) => {
        passwordPolicy(p).MinimumLength = 8;
        delete passwordPolicy(p).TemporaryPasswordValidityDays;
      },
    ],
  },
  {
    control: 'Cognito.4',
    violate: (p) => {
      addOns(p).AdvancedSecurityAdditionalFlows = { CustomAuthMode: 'AUDIT' };
    },
    detail: 'threat protection for custom authentication is audit-only (CustomAuthMode AUDIT)',
  },
  {
    control: 'Cognito.5',
    violate: (p) => {
      p.config.MfaConfiguration = 'OFF';
    },
    detail: 'MFA is off on a password-only pool (MfaConfiguration OFF)',
    passes: [
      (p) => {
        p.config.MfaConfiguration = 'OPTIONAL';
      },
      // Not a password-only pool: the control does not apply.
      (p) => {
        p.config.MfaConfiguration = 'OFF';
        (p.config.Policies as JsonObject).SignInPolicy = {
          AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'],
        };
      },
    ],
  },
  {
    control: 'Cognito.6',
    violate: (p) => {
      delete poolConfig(p).DeletionProtection;
    },
    detail: 'deletion protection is off (DeletionProtection absent)',
  },
  {
    control: 'cognito_user_pool_blocks_compromised_credentials_sign_in_attempts',
    violate: (p) => {
      risk(p).CompromisedCredentialsRiskConfiguration = { Actions: { EventAction: 'NO_ACTION' } };
    },
    detail: 'compromised credentials at sign-in: NO_ACTION',
    passes: [
      // No filter: every event.
      (p) => {
        risk(p).CompromisedCredentialsRiskConfiguration = { Actions: { EventAction: 'BLOCK' } };
      },
      // Threat protection not watched: not judged.
      (p) => {
        delete p.surfaces?.riskConfiguration;
      },
    ],
  },
  {
    control: 'cognito_user_pool_blocks_potential_malicious_sign_in_attempts',
    violate: (p) => {
      ato(p).LowAction = { EventAction: 'NO_ACTION', Notify: true };
      ato(p).MediumAction = { EventAction: 'MFA_IF_CONFIGURED', Notify: true };
    },
    detail: 'account-takeover risk not blocked at LowAction, MediumAction',
  },
  {
    control: 'cognito_user_pool_client_prevent_user_existence_errors',
    violate: (p) => {
      client(p).PreventUserExistenceErrors = 'LEGACY';
    },
    detail: 'sign-in errors reveal whether a user exists (PreventUserExistenceErrors LEGACY)',
  },
  {
    control: 'cognito_user_pool_client_token_revocation_enabled',
    violate: (p) => {
      client(p).EnableTokenRevocation = false;
    },
    detail: 'refresh tokens cannot be revoked (EnableTokenRevocation false)',
  },
  {
    control: 'cognito_user_pool_mfa_enabled',
    violate: (p) => {
      p.config.MfaConfiguration = 'OPTIONAL';
    },
    detail: 'MFA is not required (MfaConfiguration OPTIONAL)',
  },
  {
    control: 'cognito_user_pool_password_policy_lowercase',
    violate: (p) => {
      passwordPolicy(p).RequireLowercase = false;
    },
    detail: 'lowercase letters not required (RequireLowercase false)',
  },
  {
    control: 'cognito_user_pool_password_policy_uppercase',
    violate: (p) => {
      delete passwordPolicy(p).RequireUppercase;
    },
    detail: 'uppercase letters not required (RequireUppercase false)',
  },
  {
    control: 'cognito_user_pool_password_policy_number',
    violate: (p) => {
      delete (p.config.Policies as JsonObject).PasswordPolicy;
    },
    detail: 'no password policy',
  },
  {
    control: 'cognito_user_pool_password_policy_symbol',
    violate: (p) => {
      passwordPolicy(p).RequireSymbols = false;
    },
    detail: 'symbols not required (RequireSymbols false)',
  },
  {
    control: 'cognito_user_pool_password_policy_minimum_length_14',
    violate: (p) => {
      passwordPolicy(p).MinimumLength = 12;
    },
    detail: 'passwords may be shorter than 14 characters (MinimumLength 12)',
  },
  {
    control: 'cognito_user_pool_self_registration_disabled',
    violate: (p) => {
      p.config.AdminCreateUserConfig = { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 };
    },
    detail: 'anyone can sign up (AllowAdminCreateUserOnly false)',
  },
  {
    control: 'cognito_user_pool_temporary_password_expiration',
    violate: (p) => {
      passwordPolicy(p).TemporaryPasswordValidityDays = 30;
    },
    detail: 'temporary passwords stay valid 30 days',
  },
  {
    control: 'cognito_user_pool_waf_acl_attached',
    violate: (p) => {
      if (p.surfaces) p.surfaces.waf = {};
    },
    detail: 'no AWS WAF web ACL is associated',
    passes: [
      (p) => {
        delete p.surfaces?.waf;
      },
    ],
  },
];

const fresh = (row: Pick<Row, 'identity'>) => (row.identity ? safeIdentityPool() : safePool());
const reasonsFor = (pool: PoolSnapshot, control: string) =>
  postureOf(pool, POSTURE_CONTROLS)
    .filter((f) => f.control === control)
    .map((f) => f.detail);

describe('the posture table', () => {
  it('has a row here for every control, and every id once', () => {
    const ids = POSTURE_CONTROLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ROWS.map((r) => r.control).sort()).toEqual([...ids].sort());
  });

  it('finds nothing on pools that pass every control', () => {
    expect(postureOf(safePool(), POSTURE_CONTROLS)).toEqual([]);
    expect(postureOf(safeIdentityPool(), POSTURE_CONTROLS)).toEqual([]);
  });

  describe.each(ROWS)('$control', (row) => {
    it('fails a pool that violates it, saying why', () => {
      const pool = fresh(row);
      row.violate(pool);
      expect(reasonsFor(pool, row.control)).toEqual([row.detail]);
    });

    it('passes the pools that do not', () => {
      for (const edit of row.passes ?? []) {
        const pool = fresh(row);
        edit(pool);
        expect(reasonsFor(pool, row.control)).toEqual([]);
      }
      expect(reasonsFor(fresh(row), row.control)).toEqual([]);
    });
  });

  it('names a client finding by its pool and client, and its resource as <poolId>/<clientId>', () => {
    const pool = safePool();
    client(pool).EnableTokenRevocation = false;

    expect(postureOf(pool, POSTURE_CONTROLS)).toEqual([
      {
        control: 'cognito_user_pool_client_token_revocation_enabled',
        source: 'Prowler',
        title: 'Amazon Cognito user pool client has token revocation enabled',
        severity: Severity.MEDIUM,
        poolId: POOL_ID,
        poolName: 'customers',
        clientId: CLIENT_ID,
        clientName: 'web',
        resource: `${POOL_ID}/${CLIENT_ID}`,
        detail: 'refresh tokens cannot be revoked (EnableTokenRevocation false)',
      },
    ]);
  });
});

describe('posture functions', () => {
  it('marks a finding accepted with the reason the acceptance gives, by any of its ids', () => {
    const pool = safePool();
    pool.config.DeletionProtection = 'INACTIVE';
    const asked: string[][] = [];

    const [finding] = postureOf(pool, POSTURE_CONTROLS, (ids, resources) => {
      asked.push([...ids, ...resources]);
      return ids.includes('cognito_user_pool_deletion_protection_enabled') ? 'sandbox' : undefined;
    });

    expect(finding?.accepted).toBe('sandbox');
    expect(asked).toEqual([['Cognito.6', 'cognito_user_pool_deletion_protection_enabled', POOL_ID]]);
  });

  it('reports a control whose check throws as its own finding, never as a pass', () => {
    const broken: PostureControl = {
      ...(POSTURE_CONTROLS[0] as PostureControl),
      id: 'Cognito.99',
      check: () => {
        throw new Error('boom');
      },
    };

    expect(postureOf(safePool(), [broken]).map((f) => f.detail)).toEqual([
      'the check itself failed (boom): judge it by hand',
    ]);
  });

  it('keeps only what the baseline did not have', () => {
    const baseline = safePool();
    baseline.config.DeletionProtection = 'INACTIVE';
    const current = structuredClone(baseline);
    current.config.MfaConfiguration = 'OFF';

    const fresh = newlyRisky(baseline, postureOf(current, POSTURE_CONTROLS), POSTURE_CONTROLS);

    expect(fresh.map((f) => f.control)).toEqual(['Cognito.5', 'cognito_user_pool_mfa_enabled']);
    expect(
      newlyRisky(null, postureOf(baseline, POSTURE_CONTROLS), POSTURE_CONTROLS).map((f) => f.control),
    ).toEqual(['Cognito.6']);
  });

  it('counts findings by control, open and accepted apart', () => {
    const a = safePool();
    a.config.DeletionProtection = 'INACTIVE';
    a.config.MfaConfiguration = 'OPTIONAL';

    const counts = countPosture(
      postureOf(a, POSTURE_CONTROLS, (ids) =>
        ids.includes('cognito_user_pool_mfa_enabled') ? 'ok' : undefined,
      ),
    );

    expect(counts).toEqual({
      'Cognito.6': { open: 1, accepted: 0 },
      cognito_user_pool_mfa_enabled: { open: 0, accepted: 1 },
    });
  });

  it('summarizes the counts of many pools, most frequent control first, accepted ones apart', () => {
    const summary = summarizePosture(
      [
        { 'Cognito.6': { open: 1, accepted: 0 }, cognito_user_pool_mfa_enabled: { open: 0, accepted: 1 } },
        { 'Cognito.6': { open: 1, accepted: 0 }, 'Cognito.5': { open: 1, accepted: 0 } },
        { cognito_user_pool_mfa_enabled: { open: 0, accepted: 2 } },
      ],
      POSTURE_CONTROLS,
    );

    expect(summary).toEqual({
      pools: 2,
      risky: 3,
      accepted: 3,
      top: [
        {
          control: 'Cognito.6',
          title: 'Cognito user pools should have deletion protection enabled',
          severity: Severity.MEDIUM,
          count: 2,
        },
        {
          control: 'Cognito.5',
          title: 'MFA should be enabled for Cognito user pools',
          severity: Severity.MEDIUM,
          count: 1,
        },
      ],
    });
  });
});
