import { normalizeResource } from '../core/normalize.js';
import type { Change } from '../core/types.js';
import { Severity } from '../core/types.js';
import { POOL_RESOURCE, type Surface } from './surface.js';

const MFA_STRENGTH: Record<string, number> = { OFF: 0, OPTIONAL: 1, ON: 2 };
const FACTORS = ['SoftwareTokenMfaConfiguration', 'SmsMfaConfiguration', 'EmailMfaConfiguration'];

const isMfa = (c: Change) => c.surface === 'mfa' && 'path' in c;

/**
 * The pool's MFA configuration: which factors are on (TOTP, SMS, email), whether MFA is required,
 * and the WebAuthn relying party and user verification. Only GetUserPoolMfaConfig shows all of it.
 */
export const mfaSurface: Surface = {
  name: 'mfa',
  label: 'MFA configuration',
  plural: 'MFA configuration',
  operations: ['GetUserPoolMfaConfig'],
  async read({ poolId, send }) {
    const out = await send('GetUserPoolMfaConfig', { UserPoolId: poolId });
    return { [POOL_RESOURCE]: { name: 'MFA', config: normalizeResource(out, { salt: poolId }) } };
  },
  rules: [
    {
      name: 'mfa-factor-off',
      description:
        'MFA made optional or off, a factor (TOTP, SMS, email) turned off, or WebAuthn user verification relaxed',
      evaluate: (c) => {
        if (!isMfa(c) || c.kind !== 'field-changed') return undefined;
        if (c.path === 'MfaConfiguration') {
          const weaker =
            (MFA_STRENGTH[String(c.after ?? 'OFF')] ?? 0) < (MFA_STRENGTH[String(c.before ?? 'OFF')] ?? 0);
          return weaker ? Severity.HIGH : undefined;
        }
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
