import type { PoolCondition } from '../core/catalog.js';

/**
 * The pool states a kind's configuration needs to have any effect, each from the API reference, as
 * DescribeUserPool shows them. A kind names one as its `readOnlyWhen`: where it does not hold, the
 * kind's reads could not change a finding and are not made (see `CatalogEntry.readOnlyWhen`).
 */

const isOn = (mode: unknown) => mode === 'AUDIT' || mode === 'ENFORCED';
const record = (value: unknown): Readonly<Record<string, unknown>> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/**
 * A prefix or custom domain: the hosted UI, managed login and their branding and terms are served
 * from it. "Your user pool must have a domain" (SetUICustomization); terms documents are shown "in
 * the sign-up page of managed login" (CreateTerms).
 */
export const HAS_DOMAIN: PoolCondition = {
  description: 'the pool has a domain',
  fields: ['Domain', 'CustomDomain'],
  holds: (pool) => Boolean(pool.Domain || pool.CustomDomain),
};

/**
 * Threat protection on, in audit or full-function mode, for standard or custom authentication. The
 * risk configuration's read describes "an app client or user pool ID where threat protection is
 * configured" and lists UserPoolAddOnNotEnabledException among its errors.
 */
export const THREAT_PROTECTION_ON: PoolCondition = {
  description: 'threat protection is on (audit or enforced)',
  fields: ['UserPoolAddOns'],
  holds: (pool) => {
    const addOns = record(pool.UserPoolAddOns);
    return (
      isOn(addOns.AdvancedSecurityMode) || isOn(record(addOns.AdvancedSecurityAdditionalFlows).CustomAuthMode)
    );
  },
};

/**
 * MFA on or optional, or a sign-in factor configured with it (email or SMS one-time passwords,
 * passkeys): the MFA configuration's SMS and email settings are "for MFA and sign-in with OTPs", and
 * its passkey settings for "a primary sign-in factor for choice-based authentication". A pool with MFA
 * `OFF` that names its first factors and lists only `PASSWORD` uses none of them. A pool that does
 * not say (no MfaConfiguration, no AllowedFirstAuthFactors), or names a factor this code does not
 * know, is read.
 */
export const MFA_OR_OTP_SIGN_IN: PoolCondition = {
  description: 'MFA is on or optional, or sign-in with a one-time password or passkey is allowed',
  fields: ['MfaConfiguration', 'Policies'],
  holds: (pool) => {
    if (pool.MfaConfiguration !== 'OFF') return true;
    const factors = record(record(pool.Policies).SignInPolicy).AllowedFirstAuthFactors;
    return !Array.isArray(factors) || factors.some((factor) => factor !== 'PASSWORD');
  },
};
