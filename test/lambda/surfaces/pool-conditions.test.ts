import { describe, expect, it } from 'vitest';
import { diffPool } from '../../../lambda/core/diff.js';
import { VOLATILE_POOL_FIELDS } from '../../../lambda/core/normalize.js';
import type { PoolSnapshot } from '../../../lambda/core/types.js';
import { CATALOG } from '../../../lambda/surfaces/index.js';
import {
  HAS_DOMAIN,
  MFA_OR_OTP_SIGN_IN,
  THREAT_PROTECTION_ON,
} from '../../../lambda/surfaces/pool-conditions.js';
import { poolSnapshot } from '../../fixtures/snapshots.js';

const signIn = (...factors: string[]) => ({
  Policies: { SignInPolicy: { AllowedFirstAuthFactors: factors } },
});

describe('the pool conditions a kind is read under (DescribeUserPool fields)', () => {
  it.each([
    [{ Domain: 'customers-login' }, true],
    [{ CustomDomain: 'login.example.com' }, true],
    [{}, false],
    [{ Domain: '' }, false],
  ])('a domain: %j -> %s', (pool, holds) => {
    expect(HAS_DOMAIN.holds(pool)).toBe(holds);
  });

  it.each([
    [{ UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } }, true],
    [{ UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } }, true],
    [{ UserPoolAddOns: { AdvancedSecurityMode: 'OFF' } }, false],
    [
      {
        UserPoolAddOns: {
          AdvancedSecurityMode: 'OFF',
          AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'AUDIT' },
        },
      },
      true,
    ],
    [{}, false],
  ])('threat protection: %j -> %s', (pool, holds) => {
    expect(THREAT_PROTECTION_ON.holds(pool)).toBe(holds);
  });

  it.each([
    [{ MfaConfiguration: 'ON', ...signIn('PASSWORD') }, true],
    [{ MfaConfiguration: 'OPTIONAL', ...signIn('PASSWORD') }, true],
    [{ MfaConfiguration: 'OFF', ...signIn('PASSWORD') }, false],
    [{ MfaConfiguration: 'OFF', ...signIn('PASSWORD', 'EMAIL_OTP') }, true],
    [{ MfaConfiguration: 'OFF', ...signIn('PASSWORD', 'SMS_OTP') }, true],
    [{ MfaConfiguration: 'OFF', ...signIn('WEB_AUTHN') }, true],
    // Not said, or a factor this code does not know: read.
    [{ MfaConfiguration: 'OFF' }, true],
    [{ MfaConfiguration: 'OFF', ...signIn('PASSWORD', 'SOMETHING_NEW') }, true],
    [{ ...signIn('PASSWORD') }, true],
  ])('MFA or OTP/passkey sign-in: %j -> %s', (pool, holds) => {
    expect(MFA_OR_OTP_SIGN_IN.holds(pool)).toBe(holds);
  });
});

describe('comparing a kind without effect in the current pool', () => {
  it('looks only at fields a snapshot keeps, so stored documents are compared as the reader decided', () => {
    const conditions = CATALOG.entries.flatMap((e) => (e.readOnlyWhen ? [e.readOnlyWhen] : []));

    expect(conditions.length).toBeGreaterThan(0);
    for (const condition of conditions)
      expect(condition.fields.filter((f) => VOLATILE_POOL_FIELDS.includes(f))).toEqual([]);
  });

  const css = { uiCustomization: { pool: { name: 'pool', config: { CSS: { digest: 'a', bytes: 10 } } } } };
  const withDomain: PoolSnapshot = { ...poolSnapshot({ Domain: 'customers-login' }), surfaces: css };
  const without: PoolSnapshot = { ...poolSnapshot({}), surfaces: { uiCustomization: {} } };

  it('reports the domain, never the hosted UI removed, with the catalog', () => {
    const changes = diffPool(withDomain, without, CATALOG);

    expect(changes.map((c) => [c.kind, 'path' in c ? c.path : c.surface])).toEqual([
      ['field-changed', 'Domain'],
    ]);
  });

  it('reports what is in effect as added once the domain is there', () => {
    const changes = diffPool(without, withDomain, CATALOG);

    expect(changes.map((c) => [c.kind, 'path' in c ? c.path : c.surface])).toEqual([
      ['field-changed', 'Domain'],
      ['resource-added', 'uiCustomization'],
    ]);
  });

  it('compares a kind the catalog does not declare as recorded (what the catalog adds)', () => {
    const changes = diffPool(withDomain, without, { entries: [] });

    expect(changes.map((c) => c.kind)).toContain('resource-removed');
  });
});
