import {
  GetUserPoolMfaConfigCommand,
  type GetUserPoolMfaConfigCommandInput,
  type GetUserPoolMfaConfigCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeResource } from '../core/normalize.js';
import type { Change } from '../core/types.js';
import { Severity } from '../core/types.js';
import { IDP_SOURCE, POOL_PATHS } from '../core/write-events.js';
import { MFA_OR_OTP_SIGN_IN } from './pool-conditions.js';
import { operation, POOL_READ_ASSUMED, POOL_RESOURCE, type Surface } from './surface.js';

const FACTORS = ['SoftwareTokenMfaConfiguration', 'SmsMfaConfiguration', 'EmailMfaConfiguration'];

const isMfa = (c: Change) => c.surface === 'mfa' && 'path' in c;

const GET_MFA = operation<GetUserPoolMfaConfigCommandInput, GetUserPoolMfaConfigCommandOutput>({
  name: 'GetUserPoolMfaConfig',
  service: 'cognito-idp',
  command: GetUserPoolMfaConfigCommand,
  quota: 'UserPoolRead',
  quotaAssumed: POOL_READ_ASSUMED,
  keys: ['UserPoolId'],
  calls: { per: 'pool' },
});

/**
 * The pool's MFA configuration: which factors are on (TOTP, SMS, email), whether MFA is required,
 * and the WebAuthn relying party and user verification. Only GetUserPoolMfaConfig shows all of it.
 * Not read for a pool with MFA off and password-only sign-in, which uses none of it.
 */
export const mfaSurface: Surface = {
  name: 'mfa',
  label: 'MFA configuration',
  plural: 'MFA configuration',
  operations: [GET_MFA],
  readOnlyWhen: MFA_OR_OTP_SIGN_IN,
  async read({ poolId, send }) {
    const out = await send(GET_MFA, { UserPoolId: poolId });
    // MfaConfiguration (OFF/ON/OPTIONAL) is also in DescribeUserPool, and compared there: kept once.
    const config = normalizeResource(out, { volatile: ['MfaConfiguration'], salt: poolId });
    return { [POOL_RESOURCE]: { name: 'MFA', config } };
  },
  writeEvents: [{ eventSource: IDP_SOURCE, eventName: 'SetUserPoolMfaConfig', paths: POOL_PATHS }],
  rules: [
    {
      name: 'mfa-factor-off',
      description:
        'An MFA factor (TOTP, SMS, email) turned off or its configuration removed, WebAuthn user verification relaxed, or its relying party changed',
      evaluate: (c) => {
        if (!isMfa(c) || c.kind !== 'field-changed') return undefined;
        if (FACTORS.some((f) => c.path === `${f}.Enabled`))
          return c.before === true && c.after !== true ? Severity.HIGH : undefined;
        // A whole factor's configuration removed (SMS or email configuration gone).
        if (FACTORS.some((f) => c.path.startsWith(`${f}.`)) && c.after === undefined) return Severity.HIGH;
        if (c.path === 'WebAuthnConfiguration.UserVerification')
          return c.before === 'required' && c.after !== 'required' ? Severity.HIGH : undefined;
        if (c.path === 'WebAuthnConfiguration.RelyingPartyId') return Severity.HIGH;
        return undefined;
      },
    },
  ],
};
